#include <algorithm>
#include <cmath>
#include <vector>

#include "options.hpp"
#include "primitives.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

namespace {

constexpr int kCropAttempts = 10;

// Python's round(): half to even, as torchvision rounds crop sides.
int64_t round_half_even(double x) { return static_cast<int64_t>(std::nearbyint(x)); }

// One axis of a bilinear resize: output o reads source i0 and i1 with weights 1 - t and t.
struct Tap {
  int64_t i0;
  int64_t i1;
  float t;
};

std::vector<Tap> bilinear_taps(int64_t in_size, int64_t out_size) {
  std::vector<Tap> taps(static_cast<size_t>(out_size));
  const double scale = double(in_size) / double(out_size);
  for (int64_t o = 0; o < out_size; ++o) {
    double source = std::max((double(o) + 0.5) * scale - 0.5, 0.0);
    auto i0 = std::min(static_cast<int64_t>(source), in_size - 1);
    taps[size_t(o)] = {i0, std::min(i0 + 1, in_size - 1), static_cast<float>(source - double(i0))};
  }
  return taps;
}

}  // namespace

CropBox sample_crop_box(int64_t height, int64_t width, Interval scale, Interval ratio, Rng& rng) {
  const double area = double(height) * double(width);
  const float log_low = std::log(ratio.low), log_high = std::log(ratio.high);
  for (int attempt = 0; attempt < kCropAttempts; ++attempt) {
    double target_area = area * rng.uniform(scale.low, scale.high);
    double aspect = std::exp(rng.uniform(log_low, log_high));
    int64_t w = round_half_even(std::sqrt(target_area * aspect));
    int64_t h = round_half_even(std::sqrt(target_area / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      int64_t top = static_cast<int64_t>(rng.below(uint64_t(height - h + 1)));
      int64_t left = static_cast<int64_t>(rng.below(uint64_t(width - w + 1)));
      return {top, left, h, w};
    }
  }
  const double in_ratio = double(width) / double(height);
  int64_t w = width, h = height;
  if (in_ratio < ratio.low)
    h = round_half_even(double(w) / ratio.low);
  else if (in_ratio > ratio.high)
    w = round_half_even(double(h) * ratio.high);
  return {(height - h) / 2, (width - w) / 2, h, w};
}

void resize_crop(std::span<const float> in, const ImageShape& in_shape, const CropBox& box, std::span<float> out,
                 const ImageShape& out_shape) {
  const std::vector<Tap> rows = bilinear_taps(box.height, out_shape.height);
  const std::vector<Tap> cols = bilinear_taps(box.width, out_shape.width);
  for (int64_t c = 0; c < out_shape.channels; ++c) {
    const float* plane = in.data() + c * in_shape.plane() + box.top * in_shape.width + box.left;  // crop origin
    float* target = out.data() + c * out_shape.plane();                                          // (H', W')
    for (int64_t y = 0; y < out_shape.height; ++y) {
      const Tap& r = rows[size_t(y)];
      const float* row0 = plane + r.i0 * in_shape.width;
      const float* row1 = plane + r.i1 * in_shape.width;
      for (int64_t x = 0; x < out_shape.width; ++x) {
        const Tap& k = cols[size_t(x)];
        float top = (1.0f - k.t) * row0[k.i0] + k.t * row0[k.i1];
        float bottom = (1.0f - k.t) * row1[k.i0] + k.t * row1[k.i1];
        target[y * out_shape.width + x] = (1.0f - r.t) * top + r.t * bottom;
      }
    }
  }
}

Schema RandomResizedCrop::schema() { return {size_option(), scale_option("scale"), ratio_option()}; }

void RandomResizedCrop::check(const Params& params) { check_intervals(params, {"scale", "ratio"}); }

RandomResizedCrop::RandomResizedCrop(const Params& params)
    : RandomResizedCrop(params.get<int64_t>("size"), read_interval(params, "scale"), read_interval(params, "ratio")) {}

RandomResizedCrop::RandomResizedCrop(int64_t size, Interval scale, Interval ratio)
    : size_(size), scale_(scale), ratio_(ratio) {}

Shape RandomResizedCrop::setup(const Shape& sample_shape, const NodeSetup&) {
  in_ = ImageShape::from(sample_shape, "random_resized_crop");
  out_ = size_ == 0 ? in_ : ImageShape{in_.channels, size_, size_};
  return out_.shape();
}

void RandomResizedCrop::apply(std::span<const float> in, std::span<float> out, Rng& rng) const {
  check_sample("random_resized_crop", in, in_.numel(), out, out_.numel());
  resize_crop(in, in_, sample_crop_box(in_.height, in_.width, scale_, ratio_, rng), out, out_);
}

}  // namespace sslflow::augment
