// Counter-based random numbers (Philox4x32-10, Salmon et al. 2011).
//
// A stream is named by (seed, what, index): `what` says what the numbers are for
// ("augment", "init.backbone"), `index` which item (a sample, a view, a layer). The
// numbers of a stream depend on those three values only, never on which thread draws
// them or in what order other streams are used, so results do not depend on thread
// count or scheduling. An Rng is a small value type; copy it to replay a stream.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "sslflow/export.hpp"

namespace sslflow {

class SSLFLOW_EXPORT Rng {
 public:
  Rng(uint64_t seed, std::string_view what, uint64_t index = 0);

  // The stream (seed, what, index, sub) as a child: e.g. one per view of one sample.
  Rng child(uint64_t sub) const;

  uint32_t next_u32();
  float uniform();                       // [0, 1)
  float uniform(float low, float high);  // [low, high)
  float normal();                        // standard normal (Box-Muller)
  uint64_t below(uint64_t n);            // uniform integer in [0, n), n > 0
  bool bernoulli(float p) { return uniform() < p; }

  // The full state (key and counter position), for checkpoints.
  std::array<uint64_t, 3> state() const { return {key_, stream_, position_}; }
  static Rng from_state(const std::array<uint64_t, 3>& state);

 private:
  Rng() = default;
  std::array<uint32_t, 4> block(uint64_t counter) const;

  uint64_t key_ = 0;
  uint64_t stream_ = 0;
  uint64_t position_ = 0;  // index of the next 32-bit word
};

// 64-bit FNV-1a of a string, used to turn names into stream ids.
SSLFLOW_EXPORT uint64_t hash_name(std::string_view name);

}  // namespace sslflow
