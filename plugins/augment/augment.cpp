#include "options.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

// The recipes' values, for the option docs: SimCLR (Chen et al. 2020, appendix A), SimSiam
// (Chen & He 2021, as MoCo v2) and BYOL (Grill et al. 2020, table 6; its two views differ).
Schema Augment::schema() {
  const std::string none = "default none: no normalisation";
  return {
      size_option(),
      scale_option("crop"),
      ratio_option(),
      Option("flip", 0.5, "probability of a horizontal flip; 0.5 as SimCLR, SimSiam and BYOL").range(0.0, 1.0),
      strength_option("jitter"),
      saturation_option("saturation"),
      hue_option("hue"),
      Option("jitter_prob", 0.8,
             "probability of the colour jitter (brightness, contrast, saturation, hue in random order); 0.8 as "
             "SimCLR, SimSiam and BYOL")
          .range(0.0, 1.0),
      Option("grayscale", 0.2,
             "probability of turning an RGB view grey (grey images are unchanged); 0.2 as SimCLR, SimSiam and BYOL")
          .range(0.0, 1.0),
      Option("blur", 0.0,
             "probability of a Gaussian blur; 0 as solo-learn's CIFAR recipes (SimCLR and SimSiam: 0.5 on "
             "ImageNet; BYOL: 1.0 on its first view, 0.1 on its second)")
          .range(0.0, 1.0),
      sigma_option("blur_sigma"),
      kernel_option("blur_kernel"),
      Option("solarize", 0.0,
             "probability of solarizing at threshold 0.5; 0 as SimCLR and SimSiam (BYOL: 0.0 on its first view, "
             "0.2 on its second)")
          .range(0.0, 1.0),
      Option("equalize", 0.0,
             "probability of equalising each channel's histogram (torchvision's equalize on uint8 levels); 0 as "
             "solo-learn's recipes")
          .range(0.0, 1.0),
      noise_option("noise", 0.0),
      mean_option({}, none),
      std_option({}, none),
  };
}

void Augment::check(const Params& params) {
  check_intervals(params, {"crop", "ratio", "blur_sigma"});
  check_kernel_option(params, "blur_kernel");
}

Augment::Augment(const Params& params)
    : crop_(params.get<int64_t>("size"), read_interval(params, "crop"), read_interval(params, "ratio")) {
  const JitterStrengths jitter = read_jitter_strengths(params, "jitter");
  const auto jitter_prob = params.get<float>("jitter_prob"), grayscale = params.get<float>("grayscale");
  const auto blur = params.get<float>("blur"), solarize = params.get<float>("solarize");
  const auto equalize = params.get<float>("equalize"), flip = params.get<float>("flip");
  const auto noise = params.get<float>("noise");
  const bool jitters = jitter.brightness > 0.0f || jitter.saturation > 0.0f || jitter.hue > 0.0f;
  std::vector<float> mean = read_floats(params, "mean"), std = read_floats(params, "std");
  if (jitters && jitter_prob > 0.0f) steps_.push_back(std::make_unique<ColorJitter>(jitter, jitter_prob));
  if (grayscale > 0.0f) steps_.push_back(std::make_unique<RandomGrayscale>(grayscale));
  if (blur > 0.0f)
    steps_.push_back(
        std::make_unique<GaussianBlur>(blur, read_interval(params, "blur_sigma"), params.get<int64_t>("blur_kernel")));
  if (solarize > 0.0f) steps_.push_back(std::make_unique<Solarize>(solarize, 0.5f));
  if (equalize > 0.0f) steps_.push_back(std::make_unique<Equalize>(equalize));
  if (flip > 0.0f) steps_.push_back(std::make_unique<HorizontalFlip>(flip));
  if (noise > 0.0f) steps_.push_back(std::make_unique<GaussianNoise>(noise));
  if (!mean.empty() || !std.empty())
    steps_.push_back(std::make_unique<Normalize>(params.owner(), std::move(mean), std::move(std)));
}

Shape Augment::setup(const Shape& sample_shape, const NodeSetup& context) {
  const Shape view = crop_.setup(sample_shape, context);
  for (auto& step : steps_) step->setup(view, context);
  return view;
}

void Augment::apply(std::span<const float> in, std::span<float> out, Rng& rng) const {
  crop_.apply(in, out, rng);
  for (const auto& step : steps_) step->transform(out, rng);
}

}  // namespace sslflow::augment
