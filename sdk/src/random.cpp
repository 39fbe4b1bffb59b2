#include "sslflow/random.hpp"

#include <cmath>
#include <numbers>

#include "sslflow/error.hpp"

namespace sslflow {

namespace {

constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;

uint64_t mix(uint64_t x) {  // splitmix64 finaliser
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t hash_name(std::string_view name) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  return h;
}

Rng::Rng(uint64_t seed, std::string_view what, uint64_t index)
    : key_(mix(seed ^ mix(hash_name(what)))), stream_(mix(index + 0x632BE59BD9B4E019ull)) {}

Rng Rng::child(uint64_t sub) const {
  Rng r;
  r.key_ = key_;
  r.stream_ = mix(stream_ ^ mix(sub + 0x9E3779B97F4A7C15ull));
  return r;
}

Rng Rng::from_state(const std::array<uint64_t, 3>& state) {
  Rng r;
  r.key_ = state[0];
  r.stream_ = state[1];
  r.position_ = state[2];
  return r;
}

std::array<uint32_t, 4> Rng::block(uint64_t counter) const {
  std::array<uint32_t, 4> c{static_cast<uint32_t>(counter), static_cast<uint32_t>(counter >> 32),
                            static_cast<uint32_t>(stream_), static_cast<uint32_t>(stream_ >> 32)};
  uint32_t k0 = static_cast<uint32_t>(key_), k1 = static_cast<uint32_t>(key_ >> 32);
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = uint64_t{kMul0} * c[0];
    uint64_t p1 = uint64_t{kMul1} * c[2];
    c = {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k0, static_cast<uint32_t>(p1),
         static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k1, static_cast<uint32_t>(p0)};
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return c;
}

uint32_t Rng::next_u32() {
  uint64_t p = position_++;
  return block(p / 4)[p % 4];
}

float Rng::uniform() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }

float Rng::uniform(float low, float high) { return low + (high - low) * uniform(); }

float Rng::normal() {
  float u1 = (static_cast<float>(next_u32() >> 8) + 1.0f) * (1.0f / 16777217.0f);  // (0, 1]
  float u2 = uniform();
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(2.0f * std::numbers::pi_v<float> * u2);
}

uint64_t Rng::below(uint64_t n) {
  if (n == 0) throw Error("Rng::below(0): the range is empty");
  uint64_t x = (uint64_t{next_u32()} << 32) | next_u32();
  return x % n;
}

}  // namespace sslflow
