// The order in which an epoch visits the training samples: a permutation that is a pure
// function of (seed, epoch), so a resumed run sees exactly the batches an uninterrupted
// run would, without replaying the epochs before it.
#pragma once

#include <cstdint>
#include <vector>

namespace sslflow::engine {

std::vector<int64_t> epoch_permutation(uint64_t seed, int64_t epoch, int64_t size);

}  // namespace sslflow::engine
