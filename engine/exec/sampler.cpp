#include "exec/sampler.hpp"

#include <numeric>
#include <utility>

#include "sslflow/random.hpp"

namespace sslflow::engine {

std::vector<int64_t> epoch_permutation(uint64_t seed, int64_t epoch, int64_t size) {
  std::vector<int64_t> order(static_cast<size_t>(size));
  std::iota(order.begin(), order.end(), int64_t{0});
  Rng rng(seed, "sampler", static_cast<uint64_t>(epoch));
  for (int64_t i = size - 1; i > 0; --i)  // Fisher-Yates
    std::swap(order[i], order[rng.below(static_cast<uint64_t>(i + 1))]);
  return order;
}

}  // namespace sslflow::engine
