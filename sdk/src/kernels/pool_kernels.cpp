#include "kernels/pool_kernels.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/reduce_kernels.hpp"
#include "parallel.hpp"

namespace sslflow::kernels {

namespace {

// Planes per task: a plane is small, so several go together.
constexpr int64_t kPlanesPerTask = 16;

// The input rows (or columns) [first, last) that window `o` covers, clipped to [0, size).
struct Window {
  int64_t first, last;
};

Window window(int64_t o, int64_t size, const Pool2dSizes& s) {
  const int64_t start = o * s.stride - s.padding;
  return {std::max<int64_t>(start, 0), std::min(start + s.kernel, size)};
}

}  // namespace

void avg_pool2d_forward(float* out, const float* x, const Pool2dSizes& s) {
  const float scale = 1.0f / static_cast<float>(s.kernel * s.kernel);
  detail::parallel_for(s.planes, kPlanesPerTask, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const float* plane = x + p * s.height * s.width;  // (H, W)
      float* out_p = out + p * s.out_h * s.out_w;        // (Ho, Wo)
      for (int64_t oh = 0; oh < s.out_h; ++oh) {
        const Window rows = window(oh, s.height, s);
        for (int64_t ow = 0; ow < s.out_w; ++ow) {
          const Window cols = window(ow, s.width, s);
          float acc = 0.0f;
          for (int64_t ih = rows.first; ih < rows.last; ++ih)
            for (int64_t iw = cols.first; iw < cols.last; ++iw) acc += plane[ih * s.width + iw];
          out_p[oh * s.out_w + ow] = acc * scale;
        }
      }
    }
  });
}

void avg_pool2d_backward(float* dx, const float* dout, const Pool2dSizes& s) {
  const float scale = 1.0f / static_cast<float>(s.kernel * s.kernel);
  detail::parallel_for(s.planes, kPlanesPerTask, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      float* plane = dx + p * s.height * s.width;             // (H, W)
      const float* dout_p = dout + p * s.out_h * s.out_w;     // (Ho, Wo)
      for (int64_t oh = 0; oh < s.out_h; ++oh) {
        const Window rows = window(oh, s.height, s);
        for (int64_t ow = 0; ow < s.out_w; ++ow) {
          const Window cols = window(ow, s.width, s);
          const float g = dout_p[oh * s.out_w + ow] * scale;
          for (int64_t ih = rows.first; ih < rows.last; ++ih)
            for (int64_t iw = cols.first; iw < cols.last; ++iw) plane[ih * s.width + iw] += g;
        }
      }
    }
  });
}

void max_pool2d_forward(float* out, int32_t* argmax, const float* x, const Pool2dSizes& s) {
  detail::parallel_for(s.planes, kPlanesPerTask, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const float* plane = x + p * s.height * s.width;         // (H, W)
      float* out_p = out + p * s.out_h * s.out_w;               // (Ho, Wo)
      int32_t* argmax_p = argmax + p * s.out_h * s.out_w;       // (Ho, Wo)
      for (int64_t oh = 0; oh < s.out_h; ++oh) {
        const Window rows = window(oh, s.height, s);
        for (int64_t ow = 0; ow < s.out_w; ++ow) {
          const Window cols = window(ow, s.width, s);
          int64_t best = rows.first * s.width + cols.first;
          for (int64_t ih = rows.first; ih < rows.last; ++ih)
            for (int64_t iw = cols.first; iw < cols.last; ++iw) {
              const int64_t i = ih * s.width + iw;
              if (plane[i] > plane[best] || std::isnan(plane[i])) best = i;  // NaN propagates, as in PyTorch
            }
          out_p[oh * s.out_w + ow] = plane[best];
          argmax_p[oh * s.out_w + ow] = static_cast<int32_t>(best);
        }
      }
    }
  });
}

void max_pool2d_backward(float* dx, const float* dout, const int32_t* argmax, const Pool2dSizes& s) {
  detail::parallel_for(s.planes, kPlanesPerTask, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      float* plane = dx + p * s.height * s.width;              // (H, W)
      const float* dout_p = dout + p * s.out_h * s.out_w;      // (Ho, Wo)
      const int32_t* argmax_p = argmax + p * s.out_h * s.out_w;  // (Ho, Wo)
      for (int64_t o = 0; o < s.out_h * s.out_w; ++o) plane[argmax_p[o]] += dout_p[o];
    }
  });
}

void global_avg_pool2d_forward(float* out, const float* x, int64_t planes, int64_t pixels) {
  const float scale = 1.0f / static_cast<float>(pixels);
  detail::parallel_for(planes, kPlanesPerTask, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) out[p] = sum(x + p * pixels, pixels) * scale;
  });
}

void global_avg_pool2d_backward(float* dx, const float* dout, int64_t planes, int64_t pixels) {
  const float scale = 1.0f / static_cast<float>(pixels);
  detail::parallel_for(planes, kPlanesPerTask, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      float* dx_p = dx + p * pixels;  // (H*W)
      const float g = dout[p] * scale;
      for (int64_t i = 0; i < pixels; ++i) dx_p[i] += g;
    }
  });
}

}  // namespace sslflow::kernels
