#include "sslflow/registry.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

void register_transforms(Registry& registry) {
  registry.add<Transform, Augment>(
      "augment",
      "a SimSiam-style random view: crop, colour jitter, grayscale, blur, solarize, equalize, flip, noise, normalise");
  registry.add<Transform, RandomResizedCrop>("random_resized_crop",
                                             "a random crop resized bilinearly (torchvision's RandomResizedCrop)");
  registry.add<Transform, HorizontalFlip>("horizontal_flip", "a mirror image with probability p");
  registry.add<Transform, ColorJitter>("color_jitter",
                                       "random brightness, contrast, saturation and hue in random order "
                                       "(torchvision's ColorJitter)");
  registry.add<Transform, RandomGrayscale>("random_grayscale",
                                           "an RGB image's grey level on every channel (torchvision's "
                                           "RandomGrayscale)");
  registry.add<Transform, GaussianBlur>(
      "gaussian_blur",
      "a Gaussian blur of random sigma (torchvision's GaussianBlur; SimCLR's kernel of 10% of the image)");
  registry.add<Transform, Solarize>("solarize", "inverts the values at or above a threshold");
  registry.add<Transform, Equalize>(
      "equalize", "per-channel histogram equalisation on uint8 levels (torchvision's RandomEqualize)");
  registry.add<Transform, GaussianNoise>("gaussian_noise", "adds Gaussian noise to every value");
  registry.add<Transform, Normalize>("normalize", "per-channel (x - mean) / std");
  registry.add<Transform, PatchMask>("patch_mask", "a random mask of a fixed fraction of the image's patches");
}

}  // namespace sslflow::augment
