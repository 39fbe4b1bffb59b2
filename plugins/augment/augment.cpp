#include "options.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

Schema Augment::schema() {
  const std::string none = "default none: no normalisation";
  return {
      size_option(),
      scale_option("crop"),
      ratio_option(),
      Option("flip", 0.5, "probability of a horizontal flip; 0.5 as SimSiam").range(0.0, 1.0),
      strength_option("jitter"),
      Option("jitter_prob", 0.8, "probability of the brightness and contrast jitter; 0.8 as SimSiam").range(0.0, 1.0),
      Option("blur", 0.0, "probability of a Gaussian blur; 0 as solo-learn's CIFAR recipes (SimSiam: 0.5 on ImageNet)")
          .range(0.0, 1.0),
      sigma_option("blur_sigma"),
      Option("solarize", 0.0, "probability of solarizing at threshold 0.5; 0 as SimSiam (BYOL: 0.2 on one view)")
          .range(0.0, 1.0),
      noise_option("noise", 0.0),
      mean_option({}, none),
      std_option({}, none),
  };
}

void Augment::check(const Params& params) { check_intervals(params, {"crop", "ratio", "blur_sigma"}); }

Augment::Augment(const Params& params)
    : crop_(params.get<int64_t>("size"), read_interval(params, "crop"), read_interval(params, "ratio")) {
  const auto flip = params.get<float>("flip"), jitter = params.get<float>("jitter");
  const auto jitter_prob = params.get<float>("jitter_prob"), blur = params.get<float>("blur");
  const auto solarize = params.get<float>("solarize"), noise = params.get<float>("noise");
  const Interval blur_sigma = read_interval(params, "blur_sigma");
  std::vector<float> mean = read_floats(params, "mean"), std = read_floats(params, "std");
  if (jitter > 0.0f && jitter_prob > 0.0f) steps_.push_back(std::make_unique<ColorJitter>(jitter, jitter_prob));
  if (blur > 0.0f) steps_.push_back(std::make_unique<GaussianBlur>(blur, blur_sigma));
  if (solarize > 0.0f) steps_.push_back(std::make_unique<Solarize>(solarize, 0.5f));
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
