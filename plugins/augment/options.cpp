#include "options.hpp"

#include "sslflow/error.hpp"

namespace sslflow::augment {

Option size_option() {
  return Option("size", 0, "side of the square output in pixels; 0 keeps the input's height and width")
      .range(0, 4096);
}

Option scale_option(std::string name) {
  return Option::floats(std::move(name), {0.2, 1.0},
                        "[min, max] area of the crop as a fraction of the image; [0.2, 1.0] as SimSiam "
                        "(Chen & He 2021)")
      .length(2)
      .range(0.0, 1.0)
      .positive();
}

Option ratio_option() {
  return Option::floats("ratio", {0.75, 4.0 / 3.0},
                        "[min, max] aspect ratio (width / height) of the crop; [3/4, 4/3] as torchvision's "
                        "RandomResizedCrop")
      .length(2)
      .range(0.1, 10.0);
}

Option strength_option(std::string name) {
  return Option(std::move(name), 0.4,
                "brightness and contrast factors are drawn in [max(0, 1 - s), 1 + s]; 0.4 as SimSiam (Chen & He "
                "2021), BYOL (Grill et al. 2020) and SimCLR on CIFAR-10 (Chen et al. 2020: 0.8 x strength 0.5; "
                "0.8 on ImageNet)")
      .range(0.0, 1.0);
}

Option saturation_option(std::string name) {
  return Option(std::move(name), 0.4,
                "saturation factors are drawn in [max(0, 1 - s), 1 + s], RGB only (grey images are unchanged); "
                "0.4 as SimSiam and SimCLR on CIFAR-10 (BYOL: 0.2; SimCLR on ImageNet: 0.8)")
      .range(0.0, 1.0);
}

Option hue_option(std::string name) {
  return Option(std::move(name), 0.1,
                "hue shifts are drawn in [-h, h] of a full turn, RGB only (grey images are unchanged); 0.1 as "
                "SimSiam, BYOL and SimCLR on CIFAR-10 (SimCLR on ImageNet: 0.2)")
      .range(0.0, 0.5);
}

Option sigma_option(std::string name) {
  return Option::floats(std::move(name), {0.1, 2.0},
                        "[min, max] blur sigma in pixels, drawn uniformly; [0.1, 2.0] as SimSiam and MoCo v2")
      .length(2)
      .range(0.01, 16.0);
}

Option kernel_option(std::string name) {
  return Option(std::move(name), 0,
                "side of the square blur kernel in pixels, odd; 0: 10% of each image side, made odd, as SimCLR "
                "(Chen et al. 2020) and BYOL (23 for 224; 3 for 28)")
      .range(0, 255);
}

Option noise_option(std::string name, double default_value) {
  return Option(std::move(name), default_value, "standard deviation of the Gaussian noise added to every value")
      .range(0.0, 10.0);
}

Option mean_option(std::vector<double> default_value, const std::string& default_doc) {
  return Option::floats("mean", std::move(default_value),
                        "per-channel mean subtracted (one value for all channels); " + default_doc)
      .range(-10.0, 10.0);
}

Option std_option(std::vector<double> default_value, const std::string& default_doc) {
  return Option::floats("std", std::move(default_value),
                        "per-channel standard deviation to divide by (one value for all channels); " + default_doc)
      .range(1e-3, 100.0);
}

Interval read_interval(const Params& params, const std::string& name) {
  auto values = params.get<std::vector<double>>(name);
  if (values.size() != 2 || values[0] > values[1])
    throw OptionError("option '" + name + "' expects [min, max] with min <= max, got " +
                      params.value(name).str());
  return {static_cast<float>(values[0]), static_cast<float>(values[1])};
}

void check_intervals(const Params& params, std::initializer_list<const char*> names) {
  for (const char* name : names) read_interval(params, name);
}

std::vector<float> read_floats(const Params& params, const std::string& name) {
  auto values = params.get<std::vector<double>>(name);
  return {values.begin(), values.end()};
}

JitterStrengths read_jitter_strengths(const Params& params, const std::string& brightness_and_contrast) {
  const auto strength = params.get<float>(brightness_and_contrast);
  return {strength, strength, params.get<float>("saturation"), params.get<float>("hue")};
}

void check_kernel_option(const Params& params, const std::string& name) {
  const auto kernel = params.get<int64_t>(name);
  if (kernel != 0 && kernel % 2 == 0)
    throw OptionError("option '" + name + "' expects an odd kernel size, or 0 for 10% of the image, got " +
                      std::to_string(kernel));
}

}  // namespace sslflow::augment
