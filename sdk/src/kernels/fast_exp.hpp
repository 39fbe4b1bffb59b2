// exp for float kernels, written so that the compiler vectorises loops that call it.
//
// std::exp compiles to a scalar library call in every loop; this version is branch-free
// arithmetic (Cephes' expf: exp(x) = 2^n exp(r), |r| <= ln2 / 2, degree-7 polynomial), so
// a loop of it runs in SIMD registers. Relative error is below 1e-7 for |x| < 88. Results
// below the smallest normal float (x < -87.336) are 0, x > 88.72 gives inf, and NaN stays
// NaN.
#pragma once

#include <bit>
#include <cstdint>

namespace sslflow::kernels {

inline float fast_exp(float x) {
  constexpr float kLow = -87.33654f;                    // exp(kLow) = 2^-126
  constexpr int32_t kLowBits = std::bit_cast<int32_t>(kLow);
  constexpr int32_t kNegInfBits = std::bit_cast<int32_t>(-__builtin_inff());
  constexpr float kRound = 12582912.0f;                 // 1.5 * 2^23: adding it rounds to an integer
  constexpr uint32_t kRoundBits = std::bit_cast<uint32_t>(kRound);

  // Negative floats order in reverse as int32, so [-inf, kLow) is (kLowBits, kNegInfBits].
  // Masks on the bits keep the loop vectorisable where float compares and branches would not.
  const int32_t bits = std::bit_cast<int32_t>(x);
  const int32_t underflow = -static_cast<int32_t>((bits > kLowBits) & (bits <= kNegInfBits));  // 0 or ~0
  x = std::bit_cast<float>((bits & ~underflow) | (kLowBits & underflow));

  const auto rounded = static_cast<int32_t>(std::bit_cast<uint32_t>(x * 1.44269504f + kRound) - kRoundBits);
  const int32_t n = rounded > 127 ? 127 : rounded;  // larger x overflows to inf through p below
  const auto nf = static_cast<float>(n);
  float r = x - nf * 0.693359375f;  // ln 2 in two parts, so that r is exact
  r = r + nf * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const float y = p * std::bit_cast<float>((n + 127) << 23);
  return std::bit_cast<float>(std::bit_cast<int32_t>(y) & ~underflow);
}

}  // namespace sslflow::kernels
