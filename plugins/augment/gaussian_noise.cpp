#include "options.hpp"
#include "primitives.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

void add_gaussian_noise(std::span<float> image, float std, Rng& rng) {
  for (float& x : image) x += std * rng.normal();
}

Schema GaussianNoise::schema() { return {noise_option("std", 0.05)}; }

GaussianNoise::GaussianNoise(const Params& params) : GaussianNoise(params.get<float>("std")) {}

GaussianNoise::GaussianNoise(float std) : ImageTransform("gaussian_noise"), std_(std) {}

void GaussianNoise::transform(std::span<float> image, Rng& rng) const { add_gaussian_noise(image, std_, rng); }

}  // namespace sslflow::augment
