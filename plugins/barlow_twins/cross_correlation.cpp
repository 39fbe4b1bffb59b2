#include "cross_correlation.hpp"

#include "off_diagonal.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::barlow_twins {

Terms cross_correlation_terms(const std::string& method, const Var& n1, const Var& n2) {
  const auto batch = static_cast<float>(n1.shape()[0]);
  const Var c = mul(matmul(transpose(n1, 0, 1), n2), 1.0f / batch);  // (D, D)
  return {sum(square(add(diagonal(c), -1.0f))), off_diagonal_square_sum(method, c)};
}

}  // namespace sslflow::barlow_twins
