#include "kernels/reduce_kernels.hpp"

#include <algorithm>
#include <vector>

#include "kernels/elementwise_kernels.hpp"
#include "parallel.hpp"

namespace sslflow::kernels {

void parallel_partial_sums(int64_t n, int64_t chunk, int64_t width, float* out,
                           const std::function<void(int64_t, int64_t, float*)>& body) {
  if (n <= 0) return;
  const int64_t chunks = (n + chunk - 1) / chunk;
  std::vector<float> partials(static_cast<size_t>(chunks * width), 0.0f);  // (chunks, width)
  detail::parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) body(c * chunk, std::min(n, (c + 1) * chunk), partials.data() + c * width);
  });
  for (int64_t c = 0; c < chunks; ++c) add_inplace(out, partials.data() + c * width, width);
}

}  // namespace sslflow::kernels
