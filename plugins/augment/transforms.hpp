// The shipped transforms (kind transform), thin plugin wrappers over primitives.hpp:
//
//   augment              the composite view maker: crop, colour jitter, grayscale, blur,
//                        solarize, equalize, flip, noise, normalise (SimSiam's order, Chen &
//                        He 2021; solarize and equalize as solo-learn)
//   random_resized_crop  torchvision's RandomResizedCrop with bilinear resampling
//   horizontal_flip      a mirror image with probability p
//   color_jitter         torchvision's ColorJitter (brightness, contrast, saturation, hue in
//                        random order) with probability p
//   random_grayscale     torchvision's RandomGrayscale: the grey level on every channel
//   gaussian_blur        a blur of random sigma with probability p
//   solarize             inversion of bright pixels with probability p
//   equalize             torchvision's RandomEqualize: per-channel histogram equalisation
//   gaussian_noise       additive Gaussian noise
//   normalize            per-channel (x - mean) / std
//   patch_mask           a random mask over the image's patches, for masked methods
//
// The colour transforms follow torchvision on float images in [0, 1] of 1 (grey) or 3 (RGB)
// channels and refuse other channel counts at setup.
//
// Every transform is set up once with the sample shape and then applied to one sample at a
// time. Threading: apply() is const and touches nothing but its arguments, so it runs on
// many samples at once; every random choice comes from the rng it is given.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "color.hpp"
#include "image.hpp"
#include "primitives.hpp"
#include "sslflow/interfaces/transform.hpp"
#include "sslflow/params.hpp"

namespace sslflow {
class Registry;
}

namespace sslflow::augment {

// Adds every transform above to `registry`.
void register_transforms(Registry& registry);

// A transform from an image to an image of the same shape, rewritten in place.
class ImageTransform : public Transform {
 public:
  Shape setup(const Shape& sample_shape, const NodeSetup& context) override;
  void apply(std::span<const float> in, std::span<float> out, Rng& rng) const override;
  // Rewrites one image of the setup shape, (C, H, W).
  virtual void transform(std::span<float> image, Rng& rng) const = 0;

 protected:
  explicit ImageTransform(const char* op) : op_(op) {}
  // Further checks of the setup shape (channel counts); throws ShapeError.
  virtual void check(const ImageShape& shape) const;
  const char* op() const { return op_; }
  const ImageShape& image_shape() const { return image_; }

 private:
  const char* op_;
  ImageShape image_;
};

class RandomResizedCrop final : public Transform {
 public:
  static Schema schema();
  static void check(const Params& params);
  explicit RandomResizedCrop(const Params& params);
  // size 0 keeps the input's height and width.
  RandomResizedCrop(int64_t size, Interval scale, Interval ratio);
  Shape setup(const Shape& sample_shape, const NodeSetup& context) override;
  void apply(std::span<const float> in, std::span<float> out, Rng& rng) const override;

 private:
  int64_t size_;
  Interval scale_;
  Interval ratio_;
  ImageShape in_;
  ImageShape out_;
};

class HorizontalFlip final : public ImageTransform {
 public:
  static Schema schema();
  explicit HorizontalFlip(const Params& params);
  explicit HorizontalFlip(float p);
  void transform(std::span<float> image, Rng& rng) const override;

 private:
  float p_;
};

class ColorJitter final : public ImageTransform {
 public:
  static Schema schema();
  explicit ColorJitter(const Params& params);
  ColorJitter(JitterStrengths strengths, float p);
  void transform(std::span<float> image, Rng& rng) const override;

 private:
  void check(const ImageShape& shape) const override;

  JitterStrengths strengths_;
  float p_;
};

class RandomGrayscale final : public ImageTransform {
 public:
  static Schema schema();
  explicit RandomGrayscale(const Params& params);
  explicit RandomGrayscale(float p);
  void transform(std::span<float> image, Rng& rng) const override;

 private:
  void check(const ImageShape& shape) const override;

  float p_;
};

class GaussianBlur final : public ImageTransform {
 public:
  static Schema schema();
  static void check(const Params& params);
  explicit GaussianBlur(const Params& params);
  // kernel 0: blur_kernel_side() of each image side; else an odd square kernel.
  GaussianBlur(float p, Interval sigma, int64_t kernel);
  void transform(std::span<float> image, Rng& rng) const override;

 private:
  // Throws ShapeError when the kernel does not fit the image (torch's reflect padding).
  void check(const ImageShape& shape) const override;
  BlurKernel kernel_for(const ImageShape& shape) const;

  float p_;
  Interval sigma_;
  int64_t kernel_;
};

class Solarize final : public ImageTransform {
 public:
  static Schema schema();
  explicit Solarize(const Params& params);
  Solarize(float p, float threshold);
  void transform(std::span<float> image, Rng& rng) const override;

 private:
  float p_;
  float threshold_;
};

class Equalize final : public ImageTransform {
 public:
  static Schema schema();
  explicit Equalize(const Params& params);
  explicit Equalize(float p);
  void transform(std::span<float> image, Rng& rng) const override;

 private:
  float p_;
};

class GaussianNoise final : public ImageTransform {
 public:
  static Schema schema();
  explicit GaussianNoise(const Params& params);
  explicit GaussianNoise(float std);
  void transform(std::span<float> image, Rng& rng) const override;

 private:
  float std_;
};

class Normalize final : public ImageTransform {
 public:
  static Schema schema();
  explicit Normalize(const Params& params);
  // mean and std: one value per channel, or one for all; throws OptionError naming `owner`
  // when they are empty or of different lengths, and setup() throws ShapeError naming the
  // options when their length is neither 1 nor the image's channel count.
  Normalize(const std::string& owner, std::vector<float> mean, std::vector<float> std);
  void transform(std::span<float> image, Rng& rng) const override;

 private:
  void check(const ImageShape& shape) const override;

  std::vector<float> mean_;
  std::vector<float> std_;
};

class Augment final : public Transform {
 public:
  static Schema schema();
  static void check(const Params& params);
  explicit Augment(const Params& params);
  Shape setup(const Shape& sample_shape, const NodeSetup& context) override;
  void apply(std::span<const float> in, std::span<float> out, Rng& rng) const override;

 private:
  RandomResizedCrop crop_;
  std::vector<std::unique_ptr<ImageTransform>> steps_;  // after the crop, in order
};

class PatchMask final : public Transform {
 public:
  static Schema schema();
  // Input `input` (Image), output `out` (Mask).
  static Signature signature();
  explicit PatchMask(const Params& params);
  PatchMask(int64_t patch, double ratio);
  Shape setup(const Shape& sample_shape, const NodeSetup& context) override;
  void apply(std::span<const float> in, std::span<float> out, Rng& rng) const override;

 private:
  int64_t patch_;
  double ratio_;
  int64_t in_numel_ = 0;
  int64_t tokens_ = 0;  // T
  int64_t masked_ = 0;  // round(ratio * T), a half to the even neighbour (Python's round)
};

}  // namespace sslflow::augment
