#include "kernels/conv_kernels.hpp"

#include <algorithm>
#include <vector>

#include "blas.hpp"
#include "kernels/conv_unfold.hpp"
#include "kernels/elementwise_kernels.hpp"
#include "kernels/vector_sums.hpp"
#include "parallel.hpp"

namespace sslflow::kernels {

namespace {

// Samples per chunk of the weight-gradient sum: enough work per task, few partial buffers.
constexpr int64_t kSamplesPerChunk = 16;
// Samples are unfolded side by side until a column buffer has this many columns: small
// feature maps (7x7) would otherwise make skinny products that run below BLAS peak.
constexpr int64_t kMinColumns = 768;

// Samples per GEMM: at least kMinColumns columns (Ho*Wo each), at most the batch.
int64_t group_size(const Conv2dSizes& s) {
  return std::clamp<int64_t>((kMinColumns + s.out_pixels() - 1) / s.out_pixels(), 1, std::max<int64_t>(s.batch, 1));
}

// dst (O, g*Ho*Wo) = the g samples src (g, O, Ho*Wo) side by side.
void gather_samples(float* dst, const float* src, int64_t g, const Conv2dSizes& s) {
  const int64_t p = s.out_pixels();
  for (int64_t i = 0; i < g; ++i)
    for (int64_t o = 0; o < s.out_channels; ++o)
      std::copy_n(src + (i * s.out_channels + o) * p, p, dst + o * g * p + i * p);
}

// dst (g, O, Ho*Wo) = src (O, g*Ho*Wo) split back into samples.
void scatter_samples(float* dst, const float* src, int64_t g, const Conv2dSizes& s) {
  const int64_t p = s.out_pixels();
  for (int64_t i = 0; i < g; ++i)
    for (int64_t o = 0; o < s.out_channels; ++o)
      std::copy_n(src + o * g * p + i * p, p, dst + (i * s.out_channels + o) * p);
}

// (O, C*kh*kw + 1): each row of weight followed by its bias, so that one product with the
// column buffer and a last row of ones adds the bias on the way.
std::vector<float> weight_with_bias_column(const float* weight, const float* bias, const Conv2dSizes& s) {
  const int64_t k = s.patch();
  std::vector<float> out(static_cast<size_t>(s.out_channels * (k + 1)));
  for (int64_t o = 0; o < s.out_channels; ++o) {
    std::copy_n(weight + o * k, k, out.data() + o * (k + 1));
    out[static_cast<size_t>(o * (k + 1) + k)] = bias[o];
  }
  return out;
}

// col (rows, g*Ho*Wo), rows ld floats apart, gets the receptive fields of samples x (g, C,
// H, W) side by side, and a row of ones under them when ones_row.
void unfold_samples(Unfolder& unfolder, float* col, int64_t ld, const float* x, int64_t g, bool ones_row,
                    const Conv2dSizes& s) {
  const int64_t in_size = s.in_channels * s.height * s.width;
  for (int64_t i = 0; i < g; ++i) unfolder.unfold(col + i * s.out_pixels(), ld, x + i * in_size);
  if (ones_row) std::fill(col + s.patch() * ld, col + (s.patch() + 1) * ld, 1.0f);
}

}  // namespace

void conv2d_forward(float* out, const float* x, const float* weight, const float* bias, const Conv2dSizes& s) {
  const int64_t in_size = s.in_channels * s.height * s.width;
  const int64_t out_size = s.out_channels * s.out_pixels();
  const int64_t group = group_size(s);
  const int64_t groups = (s.batch + group - 1) / group;
  const int64_t rows = s.patch() + (bias ? 1 : 0);  // the bias rides on a row of ones
  const std::vector<float> extended = bias ? weight_with_bias_column(weight, bias, s) : std::vector<float>();
  const float* weights = bias ? extended.data() : weight;  // (O, rows)
  detail::parallel_for(groups, 1, [&](int64_t g0, int64_t g1) {
    const int64_t columns = group * s.out_pixels();
    std::vector<float> col(static_cast<size_t>(rows * columns));                                // (rows, G*Ho*Wo)
    Unfolder unfolder(s);
    std::vector<float> product(group > 1 ? static_cast<size_t>(s.out_channels * columns) : 0);  // (O, G*Ho*Wo)
    for (int64_t gi = g0; gi < g1; ++gi) {
      const int64_t n0 = gi * group;
      const int64_t g = std::min(group, s.batch - n0);
      const int64_t ld = g * s.out_pixels();
      unfold_samples(unfolder, col.data(), ld, x + n0 * in_size, g, bias != nullptr, s);
      // One sample's product lands in the output directly.
      float* target = group == 1 ? out + n0 * out_size : product.data();
      detail::gemm(false, false, s.out_channels, ld, rows, 1.0f, weights, col.data(), 0.0f, target);
      if (group > 1) scatter_samples(out + n0 * out_size, product.data(), g, s);
    }
  });
}

void conv2d_backward(float* dx, float* dweight, float* dbias, const float* dout, const float* x, const float* weight,
                     const Conv2dSizes& s) {
  const int64_t in_size = s.in_channels * s.height * s.width;
  const int64_t out_size = s.out_channels * s.out_pixels();
  const int64_t group = group_size(s);
  const int64_t chunk = group * std::max<int64_t>(1, kSamplesPerChunk / group);

  // With the weight gradient, the bias gradient is one more column of its product (dout
  // times a row of ones): a partial holds (O, rows). Without it, a partial holds dbias (O).
  const bool bias_in_product = dweight && dbias;
  const int64_t rows = s.patch() + (bias_in_product ? 1 : 0);
  const int64_t width = dweight ? s.out_channels * rows : (dbias ? s.out_channels : 0);
  std::vector<float> total(static_cast<size_t>(width), 0.0f);  // (width)
  parallel_partial_sums(s.batch, chunk, width, total.data(), [&](int64_t n0, int64_t n1, float* partial) {
    const int64_t columns = group * s.out_pixels();
    std::vector<float> col(static_cast<size_t>(rows * columns));                                  // (rows, G*Ho*Wo)
    Unfolder unfolder(s);
    std::vector<float> gathered(group > 1 ? static_cast<size_t>(s.out_channels * columns) : 0);  // (O, G*Ho*Wo)
    for (int64_t first = n0; first < n1; first += group) {
      const int64_t g = std::min(group, n1 - first);
      const int64_t ld = g * s.out_pixels();
      const float* dout_g = dout + first * out_size;  // (O, G*Ho*Wo)
      if (g > 1) {
        gather_samples(gathered.data(), dout_g, g, s);
        dout_g = gathered.data();
      }
      if (dweight) {
        unfold_samples(unfolder, col.data(), ld, x + first * in_size, g, bias_in_product, s);
        detail::gemm(false, true, s.out_channels, rows, ld, 1.0f, dout_g, col.data(), 1.0f, partial);
      } else if (dbias) {
        for (int64_t o = 0; o < s.out_channels; ++o) partial[o] += sum(dout_g + o * ld, ld);
      }
      if (dx) {
        detail::gemm(true, false, s.patch(), ld, s.out_channels, 1.0f, weight, dout_g, 0.0f, col.data());
        for (int64_t i = 0; i < g; ++i) fold_add(dx + (first + i) * in_size, col.data() + i * s.out_pixels(), ld, s);
      }
    }
  });
  for (int64_t o = 0; o < s.out_channels; ++o) {
    if (dweight) add_inplace(dweight + o * s.patch(), total.data() + o * rows, s.patch());
    if (bias_in_product) dbias[o] += total[static_cast<size_t>(o * rows + s.patch())];
  }
  if (dbias && !dweight) add_inplace(dbias, total.data(), s.out_channels);
}

}  // namespace sslflow::kernels
