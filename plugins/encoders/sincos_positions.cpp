#include "sincos_positions.hpp"

#include <cmath>

namespace sslflow::encoders {

Tensor sincos_positions(int64_t dim, int64_t rows, int64_t cols) {
  const int64_t quarter = dim / 4;  // frequencies per coordinate
  Tensor out(Shape{1, 1 + rows * cols, dim});
  // Writes e(position) into the D/2 values at `half`.
  auto encode = [quarter](float* half, double position) {
    for (int64_t k = 0; k < quarter; ++k) {
      const double angle = position * (1.0 / std::pow(10000.0, double(k) / double(quarter)));
      half[k] = static_cast<float>(std::sin(angle));
      half[quarter + k] = static_cast<float>(std::cos(angle));
    }
  };
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      float* token = out.data() + (1 + i * cols + j) * dim;
      encode(token, double(j));
      encode(token + 2 * quarter, double(i));
    }
  return out;
}

}  // namespace sslflow::encoders
