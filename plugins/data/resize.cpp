#include "resize.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace sslflow::data {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // PIL's fixed point for 8-bit images

// For output pixels [begin, begin + count) along one axis, the first input pixel each
// reads and its weights (PIL's precompute_coeffs and normalize_coeffs_8bpc, for the
// bilinear filter), indexed from `begin`.
struct AxisWeights {
  std::vector<int64_t> first, count;
  std::vector<int32_t> weights;  // (count, taps)
  int64_t taps = 0;
};

AxisWeights axis_weights(int64_t in_size, int64_t out_size, int64_t begin, int64_t count) {
  const double scale = double(in_size) / double(out_size);
  const double filter_scale = std::max(scale, 1.0);
  const double support = 1.0 * filter_scale;  // the bilinear filter's support is 1
  const double inverse_scale = 1.0 / filter_scale;
  AxisWeights axis;
  axis.taps = int64_t(std::ceil(support)) * 2 + 1;
  axis.first.resize(count);
  axis.count.resize(count);
  axis.weights.assign(size_t(count * axis.taps), 0);
  std::vector<double> k(size_t(axis.taps));
  for (int64_t o = 0; o < count; ++o) {
    const double center = (double(begin + o) + 0.5) * scale;
    const auto first = std::max<int64_t>(int64_t(center - support + 0.5), 0);
    const int64_t taps = std::min<int64_t>(int64_t(center + support + 0.5), in_size) - first;
    double total = 0.0;
    for (int64_t t = 0; t < taps; ++t) {
      const double x = std::abs((double(t + first) - center + 0.5) * inverse_scale);
      k[t] = x < 1.0 ? 1.0 - x : 0.0;
      total += k[t];
    }
    for (int64_t t = 0; t < taps; ++t) {
      const double w = total != 0.0 ? k[t] / total : k[t];
      const double fixed = w * double(1 << kPrecisionBits);
      axis.weights[o * axis.taps + t] = int32_t(w < 0 ? -0.5 + fixed : 0.5 + fixed);
    }
    axis.first[o] = first;
    axis.count[o] = taps;
  }
  return axis;
}

uint8_t clip8(int64_t sum) { return uint8_t(std::clamp<int64_t>(sum >> kPrecisionBits, 0, 255)); }

// Output pixels [begin, begin + count) along an axis of `in_size` pixels resized to
// `out_size`: each one's weights, or none when the axis keeps its size (PIL then skips
// that pass, and the pixels are copied).
struct AxisPass {
  int64_t begin, count;
  std::optional<AxisWeights> weights;

  AxisPass(int64_t in_size, int64_t out_size, int64_t window_begin, int64_t window_count)
      : begin(window_begin), count(window_count) {
    if (in_size != out_size) weights = axis_weights(in_size, out_size, begin, count);
  }
  // The input pixels the window reads: [first_input(), end_input()).
  int64_t first_input() const { return weights ? weights->first[0] : begin; }
  int64_t end_input() const { return weights ? weights->first[count - 1] + weights->count[count - 1] : begin + count; }
  // Output pixel `o` of the window from input values `value(i)`, i an input index.
  template <class Value>
  uint8_t sample(int64_t o, Value value) const {
    if (!weights) return value(begin + o);
    const int32_t* w = &weights->weights[o * weights->taps];
    int64_t sum = int64_t(1) << (kPrecisionBits - 1);
    for (int64_t t = 0; t < weights->count[o]; ++t) sum += int64_t(value(weights->first[o] + t)) * w[t];
    return clip8(sum);
  }
};

// The window of `image` resized to width x height (the horizontal pass first, into 8-bit
// pixels, as PIL does) whose top-left corner is (left, top), of window_width x
// window_height pixels. Only the pixels the window needs are computed.
DecodedImage resize_window(const DecodedImage& image, int64_t width, int64_t height, int64_t left, int64_t top,
                           int64_t window_width, int64_t window_height) {
  const AxisPass across(image.width, width, left, window_width);
  const AxisPass down(image.height, height, top, window_height);
  const int64_t c = image.channels, row0 = down.first_input();

  DecodedImage wide(window_width, down.end_input() - row0, c);  // the rows `down` reads, resized across
  for (int64_t y = 0; y < wide.height; ++y) {
    const uint8_t* src = image.row(row0 + y);
    for (int64_t x = 0; x < window_width; ++x)
      for (int64_t k = 0; k < c; ++k)
        wide.row(y)[x * c + k] = across.sample(x, [&](int64_t i) { return src[i * c + k]; });
  }
  DecodedImage out(window_width, window_height, c);
  for (int64_t y = 0; y < window_height; ++y)
    for (int64_t i = 0; i < window_width * c; ++i)
      out.row(y)[i] = down.sample(y, [&](int64_t row) { return wide.row(row - row0)[i]; });
  return out;
}

// Python's round() of a multiple of 0.5: ties to even.
int64_t round_half_even(double value) { return int64_t(std::nearbyint(value)); }

}  // namespace

DecodedImage resize_and_center_crop(const DecodedImage& image, int64_t size) {
  const bool portrait = image.width <= image.height;
  const int64_t shorter = portrait ? image.width : image.height, longer = portrait ? image.height : image.width;
  const auto new_longer = int64_t(double(size * longer) / double(shorter));
  const int64_t width = portrait ? size : new_longer, height = portrait ? new_longer : size;
  const int64_t top = round_half_even(double(height - size) / 2.0);
  const int64_t left = round_half_even(double(width - size) / 2.0);
  return resize_window(image, width, height, left, top, size, size);
}

DecodedImage to_grayscale(const DecodedImage& rgb) {
  DecodedImage gray(rgb.width, rgb.height, 1);
  const size_t pixels = gray.pixels.size();
  for (size_t i = 0; i < pixels; ++i) {
    const uint8_t* p = &rgb.pixels[3 * i];
    gray.pixels[i] = uint8_t((19595u * p[0] + 38470u * p[1] + 7471u * p[2] + 0x8000u) >> 16);
  }
  return gray;
}

}  // namespace sslflow::data
