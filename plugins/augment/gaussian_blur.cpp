#include <cmath>
#include <string>
#include <vector>

#include "options.hpp"
#include "primitives.hpp"
#include "sslflow/error.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

namespace {

// Index i of a signal of length n > 1 extended by reflection about its end samples,
// period 2 (n - 1); a single sample reflects onto itself.
int64_t reflect(int64_t i, int64_t n) {
  if (n == 1) return 0;
  const int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

// torchvision's _get_gaussian_kernel1d: exp(-x^2 / (2 sigma^2)) at x = -(side - 1) / 2 ...
// (side - 1) / 2, normalised to sum 1.
std::vector<float> gaussian_kernel(float sigma, int64_t side) {
  const int64_t radius = side / 2;
  std::vector<double> w(static_cast<size_t>(side));
  double sum = 0.0;
  for (int64_t k = -radius; k <= radius; ++k) {
    const double x = double(k) / double(sigma);
    w[size_t(k + radius)] = std::exp(-0.5 * x * x);
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
        sum += kernel[size_t(k + radius)] * in[line * line_step + reflect(i + k, length) * step];
      out[line * line_step + i * step] = sum;
    }
}

void check_kernel_side(int64_t side, int64_t image_side, const std::string& axis, const ImageShape& shape) {
  if (side < 1 || side % 2 == 0 || side / 2 >= image_side)
    throw ShapeError("gaussian_blur: a kernel " + axis + " of " + std::to_string(side) + " for an image " +
                     shape.shape().str() + "; expected an odd size whose half is below the image " + axis + " " +
                     std::to_string(image_side));
}

void check_kernel(const BlurKernel& kernel, const ImageShape& shape) {
  check_kernel_side(kernel.height, shape.height, "height", shape);
  check_kernel_side(kernel.width, shape.width, "width", shape);
}

}  // namespace

int64_t blur_kernel_side(int64_t image_side) { return 2 * ((image_side / 10) / 2) + 1; }

void gaussian_blur(std::span<float> image, const ImageShape& shape, BlurKernel kernel, float sigma) {
  check_sample("gaussian_blur", image, shape.numel(), image, shape.numel());
  check_kernel(kernel, shape);
  std::vector<float> rows(image.size());  // (C, H, W) blurred along W
  convolve_lines(image.data(), rows.data(), shape.channels * shape.height, shape.width, shape.width, 1,
                 gaussian_kernel(sigma, kernel.width));
  const std::vector<float> columns = gaussian_kernel(sigma, kernel.height);
  for (int64_t c = 0; c < shape.channels; ++c) {
    const int64_t offset = c * shape.plane();
    convolve_lines(rows.data() + offset, image.data() + offset, shape.width, 1, shape.height, shape.width, columns);
  }
}

Schema GaussianBlur::schema() {
  return {Option("p", 0.5, "probability of blurring the image; 0.5 as SimCLR and SimSiam (BYOL: 1.0 and 0.1)")
              .range(0.0, 1.0),
          sigma_option("sigma"), kernel_option("kernel")};
}

void GaussianBlur::check(const Params& params) {
  check_intervals(params, {"sigma"});
  check_kernel_option(params, "kernel");
}

GaussianBlur::GaussianBlur(const Params& params)
    : GaussianBlur(params.get<float>("p"), read_interval(params, "sigma"), params.get<int64_t>("kernel")) {}

GaussianBlur::GaussianBlur(float p, Interval sigma, int64_t kernel)
    : ImageTransform("gaussian_blur"), p_(p), sigma_(sigma), kernel_(kernel) {}

BlurKernel GaussianBlur::kernel_for(const ImageShape& shape) const {
  if (kernel_ > 0) return {kernel_, kernel_};
  return {blur_kernel_side(shape.height), blur_kernel_side(shape.width)};
}

void GaussianBlur::check(const ImageShape& shape) const { check_kernel(kernel_for(shape), shape); }

void GaussianBlur::transform(std::span<float> image, Rng& rng) const {
  if (rng.bernoulli(p_))
    gaussian_blur(image, image_shape(), kernel_for(image_shape()), rng.uniform(sigma_.low, sigma_.high));
}

}  // namespace sslflow::augment
