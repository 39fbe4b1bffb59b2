#include "pixel_target.hpp"

#include <cmath>

namespace sslflow::mae {

namespace {

constexpr double kNormPixEps = 1e-6;  // forward_loss: (var + 1.e-6) ** .5

// Each row of x (N, V) as (row - mean) / sqrt(unbiased var + eps).
void normalize_rows(Tensor& x) {
  const int64_t rows = x.dim(0) * x.dim(1), values = x.dim(2);
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x.data() + r * values;
    double sum = 0.0;
    for (int64_t k = 0; k < values; ++k) sum += row[k];
    const double mean = sum / double(values);
    double squares = 0.0;
    for (int64_t k = 0; k < values; ++k) squares += (row[k] - mean) * (row[k] - mean);
    const double inv_std = 1.0 / std::sqrt(squares / double(values - 1) + kNormPixEps);
    for (int64_t k = 0; k < values; ++k) row[k] = static_cast<float>((row[k] - mean) * inv_std);
  }
}

}  // namespace

Tensor pixel_target(const Tensor& images, int64_t patch, bool normalize) {
  const int64_t batch = images.dim(0), channels = images.dim(1), height = images.dim(2), width = images.dim(3);
  const int64_t rows = height / patch, cols = width / patch;
  Tensor target(Shape{batch, rows * cols, patch * patch * channels});  // (B, L, P P C)
  const float* in = images.data();
  float* out = target.data();
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        for (int64_t py = 0; py < patch; ++py)
          for (int64_t px = 0; px < patch; ++px)
            for (int64_t c = 0; c < channels; ++c)
              *out++ = in[((b * channels + c) * height + i * patch + py) * width + j * patch + px];
  if (normalize) normalize_rows(target);
  return target;
}

}  // namespace sslflow::mae
