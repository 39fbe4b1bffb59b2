#include "off_diagonal.hpp"

#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

Var off_diagonal_square_sum(const std::string& method, const Var& m) {
  const Shape& shape = m.shape();
  if (shape.rank() != 2 || shape[0] != shape[1])
    throw ShapeError(method + ": off-diagonal terms need a square matrix (D, D), got " + shape.str());
  const int64_t n = shape[0];
  Tensor off_diagonal(Shape{n, n});  // (D, D): 1 off the diagonal, 0 on it
  off_diagonal.fill(1.0f);
  for (int64_t i = 0; i < n; ++i) off_diagonal.data()[i * n + i] = 0.0f;
  return sum(square(mul(m, Var(off_diagonal))));
}

}  // namespace sslflow
