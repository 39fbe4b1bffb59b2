#include "sslflow/registry.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

void register_transforms(Registry& registry) {
  registry.add<Transform, Augment>(
      "augment", "a SimSiam-style random view: crop, jitter, blur, solarize, flip, noise, normalise");
  registry.add<Transform, RandomResizedCrop>("random_resized_crop",
                                             "a random crop resized bilinearly (torchvision's RandomResizedCrop)");
  registry.add<Transform, HorizontalFlip>("horizontal_flip", "a mirror image with probability p");
  registry.add<Transform, ColorJitter>("color_jitter", "random brightness and contrast in random order");
  registry.add<Transform, GaussianBlur>("gaussian_blur", "a Gaussian blur of random sigma");
  registry.add<Transform, Solarize>("solarize", "inverts the values at or above a threshold");
  registry.add<Transform, GaussianNoise>("gaussian_noise", "adds Gaussian noise to every value");
  registry.add<Transform, Normalize>("normalize", "per-channel (x - mean) / std");
  registry.add<Transform, PatchMask>("patch_mask", "a random mask of a fixed fraction of the image's patches");
}

}  // namespace sslflow::augment
