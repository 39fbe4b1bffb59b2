#include <algorithm>
#include <cmath>
#include <vector>

#include "options.hpp"
#include "primitives.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

namespace {

// Index i of a signal of length n extended by half-sample symmetry, period 2n.
int64_t mirror(int64_t i, int64_t n) {
  const int64_t period = 2 * n;
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - 1 - i;
}

// Normalised weights w[k + radius] for offsets k in [-radius, radius].
std::vector<float> gaussian_kernel(float sigma, int64_t radius) {
  std::vector<double> w(size_t(2 * radius + 1));
  double sum = 0.0;
  for (int64_t k = -radius; k <= radius; ++k) {
    w[size_t(k + radius)] = std::exp(-double(k * k) / (2.0 * double(sigma) * double(sigma)));
    sum += w[size_t(k + radius)];
  }
  std::vector<float> kernel(w.size());
  for (size_t i = 0; i < w.size(); ++i) kernel[i] = static_cast<float>(w[i] / sum);
  return kernel;
}

// One pass along an axis: `count` lines of `length` values, consecutive values `step`
// apart and consecutive lines `line_step` apart.
void convolve_lines(const float* in, float* out, int64_t count, int64_t line_step, int64_t length, int64_t step,
                    const std::vector<float>& kernel) {
  const auto radius = static_cast<int64_t>(kernel.size() / 2);
  for (int64_t line = 0; line < count; ++line)
    for (int64_t i = 0; i < length; ++i) {
      float sum = 0.0f;
      for (int64_t k = -radius; k <= radius; ++k)
        sum += kernel[size_t(k + radius)] * in[line * line_step + mirror(i + k, length) * step];
      out[line * line_step + i * step] = sum;
    }
}

}  // namespace

void gaussian_blur(std::span<float> image, const ImageShape& shape, float sigma) {
  const auto radius = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(3.0f * sigma)));
  const std::vector<float> kernel = gaussian_kernel(sigma, radius);
  std::vector<float> rows(image.size());  // (C, H, W) blurred along W
  convolve_lines(image.data(), rows.data(), shape.channels * shape.height, shape.width, shape.width, 1, kernel);
  for (int64_t c = 0; c < shape.channels; ++c) {
    const int64_t offset = c * shape.plane();
    convolve_lines(rows.data() + offset, image.data() + offset, shape.width, 1, shape.height, shape.width, kernel);
  }
}

Schema GaussianBlur::schema() {
  return {Option("p", 0.5, "probability of blurring the image; 0.5 as SimSiam").range(0.0, 1.0),
          sigma_option("sigma")};
}

void GaussianBlur::check(const Params& params) { check_intervals(params, {"sigma"}); }

GaussianBlur::GaussianBlur(const Params& params)
    : GaussianBlur(params.get<float>("p"), read_interval(params, "sigma")) {}

GaussianBlur::GaussianBlur(float p, Interval sigma) : ImageTransform("gaussian_blur"), p_(p), sigma_(sigma) {}

void GaussianBlur::transform(std::span<float> image, Rng& rng) const {
  if (rng.bernoulli(p_)) gaussian_blur(image, image_shape(), rng.uniform(sigma_.low, sigma_.high));
}

}  // namespace sslflow::augment
