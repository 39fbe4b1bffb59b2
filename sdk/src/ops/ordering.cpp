// argmax, topk and sort (sslflow/ops.hpp): selections without gradient.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "kernels/shape_kernels.hpp"
#include "sslflow/error.hpp"
#include "sslflow/ops.hpp"

namespace sslflow {

namespace {

using kernels::with_extent;

// The first `k` positions of every line of x along `axis`, ordered by `before` (a strict
// weak order on values) and then by position, with their values.
template <class Before>
Sorted ordered(const Tensor& x, int axis, int64_t k, Before before) {
  const kernels::AxisView view = kernels::view_around(x.shape(), axis);
  Sorted out{Tensor::uninitialized(with_extent(x.shape(), axis, k)),
             Indices{with_extent(x.shape(), axis, k), std::vector<int64_t>(static_cast<size_t>(view.outer * k * view.inner))}};
  std::vector<int64_t> order(static_cast<size_t>(view.size));
  for (int64_t o = 0; o < view.outer; ++o)
    for (int64_t i = 0; i < view.inner; ++i) {
      const float* line = x.data() + o * view.size * view.inner + i;
      auto value = [&](int64_t j) { return line[j * view.inner]; };
      std::iota(order.begin(), order.end(), int64_t{0});
      auto by_value = [&](int64_t a, int64_t b) { return before(value(a), value(b)); };
      std::partial_sort(order.begin(), order.begin() + k, order.end(),
                        [&](int64_t a, int64_t b) { return by_value(a, b) || (!by_value(b, a) && a < b); });
      for (int64_t j = 0; j < k; ++j) {
        const int64_t at = (o * k + j) * view.inner + i;
        out.indices.values[static_cast<size_t>(at)] = order[static_cast<size_t>(j)];
        out.values.data()[at] = value(order[static_cast<size_t>(j)]);
      }
    }
  return out;
}

// NaN orders after every number, as in PyTorch's sort.
bool less_nan_last(float a, float b) { return std::isnan(b) ? !std::isnan(a) : a < b; }
bool greater_nan_first(float a, float b) { return std::isnan(a) ? !std::isnan(b) : a > b; }

}  // namespace

Sorted topk(const Tensor& x, int64_t k, int dim, bool largest) {
  const int axis = x.shape().axis(dim, "topk");
  if (k < 1 || k > x.shape()[axis])
    throw ShapeError("topk: k = " + std::to_string(k) + " is outside [1, " + std::to_string(x.shape()[axis]) +
                     "], the extent of dim " + std::to_string(axis) + " of shape " + x.shape().str());
  return largest ? ordered(x, axis, k, greater_nan_first) : ordered(x, axis, k, less_nan_last);
}

Sorted sort(const Tensor& x, int dim, bool descending) {
  const int axis = x.shape().axis(dim, "sort");
  const int64_t n = x.shape()[axis];
  return descending ? ordered(x, axis, n, greater_nan_first) : ordered(x, axis, n, less_nan_last);
}

Indices argmax(const Tensor& x, int dim, bool keepdim) {
  const int axis = x.shape().axis(dim, "argmax");
  if (x.shape()[axis] == 0) throw ShapeError("argmax: dim " + std::to_string(axis) + " of shape " + x.shape().str() + " is empty");
  Indices first = topk(x, 1, axis, true).indices;
  if (!keepdim) {
    std::vector<int64_t> dims = first.shape.to_vector();
    dims.erase(dims.begin() + axis);
    first.shape = Shape(dims);
  }
  return first;
}

}  // namespace sslflow
