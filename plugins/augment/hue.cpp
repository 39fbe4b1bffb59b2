// torchvision's adjust_hue: RGB -> HSV (_rgb2hsv), a shift of the hue, HSV -> RGB (_hsv2rgb),
// pixel by pixel in float32 with torchvision's operations in torchvision's order.
#include <algorithm>
#include <cmath>

#include "color.hpp"

namespace sslflow::augment {

namespace {

struct Hsv {
  float h;
  float s;
  float v;
};

// torch.remainder(x, 1.0): the result takes the divisor's sign, so it lies in [0, 1].
float wrap_unit(float x) {
  float r = std::fmod(x, 1.0f);
  if (r < 0.0f) r += 1.0f;
  return r;
}

// PIL's RGB -> HSV as _rgb2hsv writes it: where max == min, s = h = 0 without dividing by 0.
Hsv rgb_to_hsv(float r, float g, float b) {
  const float maxc = std::max({r, g, b}), minc = std::min({r, g, b});
  const bool grey = maxc == minc;
  const float cr = maxc - minc;
  const float s = cr / (grey ? 1.0f : maxc);
  const float divisor = grey ? 1.0f : cr;
  const float rc = (maxc - r) / divisor, gc = (maxc - g) / divisor, bc = (maxc - b) / divisor;
  float h = 0.0f;
  if (maxc == r)
    h = bc - gc;
  else if (maxc == g)
    h = 2.0f + rc - bc;
  else
    h = 4.0f + gc - rc;
  return {std::fmod(h / 6.0f + 1.0f, 1.0f), s, maxc};
}

float clamp_unit(float x) { return std::clamp(x, 0.0f, 1.0f); }

void hsv_to_rgb(const Hsv& hsv, float& r, float& g, float& b) {
  const float sector = std::floor(hsv.h * 6.0f);
  const float f = hsv.h * 6.0f - sector;
  const float p = clamp_unit(hsv.v * (1.0f - hsv.s));
  const float q = clamp_unit(hsv.v * (1.0f - hsv.s * f));
  const float t = clamp_unit(hsv.v * (1.0f - hsv.s * (1.0f - f)));
  const float v = hsv.v;
  const int i = ((static_cast<int>(sector) % 6) + 6) % 6;
  const float rgb[6][3] = {{v, t, p}, {q, v, p}, {p, v, t}, {p, q, v}, {t, p, v}, {v, p, q}};
  r = rgb[i][0];
  g = rgb[i][1];
  b = rgb[i][2];
}

}  // namespace

void adjust_hue(std::span<float> image, const ImageShape& shape, float shift) {
  check_color_image("adjust_hue", image, shape);
  if (shape.channels == 1) return;
  const auto plane = size_t(shape.plane());
  float *r = image.data(), *g = r + plane, *b = g + plane;
  for (size_t i = 0; i < plane; ++i) {
    Hsv hsv = rgb_to_hsv(r[i], g[i], b[i]);
    hsv.h = wrap_unit(hsv.h + shift);
    hsv_to_rgb(hsv, r[i], g[i], b[i]);
  }
}

}  // namespace sslflow::augment
