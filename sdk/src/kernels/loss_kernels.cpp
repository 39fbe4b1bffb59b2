#include "kernels/loss_kernels.hpp"

#include <cmath>

#include "kernels/reduce_kernels.hpp"
#include "parallel.hpp"

namespace sslflow::kernels {

namespace {

constexpr int64_t kGrain = int64_t{1} << 15;  // elements worth one task

// out (n) = loss(pred - target). Pointers are copied into locals of each chunk so that
// stores cannot alias them and the loops vectorise.
template <class Loss>
void pointwise_forward(float* out, const float* pred, const float* target, int64_t n, Loss loss) {
  detail::parallel_for(n, kGrain, [=](int64_t begin, int64_t end) {
    float* y = out;
    const float* p = pred;
    const float* t = target;
    for (int64_t i = begin; i < end; ++i) y[i] = loss(p[i] - t[i]);
  });
}

template <class Loss>
double pointwise_sum(const float* pred, const float* target, int64_t n, Loss loss) {
  return chunked_sum(n, [&](int64_t i) { return loss(pred[i] - target[i]); });
}

// dpred (n) += scale * dout * dloss(d); dtarget (n) -= the same.
template <class DLoss>
void pointwise_backward(float* dpred, float* dtarget, const float* dout, bool dout_per_element, float scale,
                        const float* pred, const float* target, int64_t n, DLoss dloss) {
  detail::parallel_for(n, kGrain, [=](int64_t begin, int64_t end) {
    const float* p = pred;
    const float* t = target;
    const float* g = dout;
    const float g0 = scale * dout[0];
    auto into = [&](float* d, float sign) {
      if (!d) return;
      if (dout_per_element)
        for (int64_t i = begin; i < end; ++i) d[i] += sign * scale * g[i] * dloss(p[i] - t[i]);
      else
        for (int64_t i = begin; i < end; ++i) d[i] += sign * g0 * dloss(p[i] - t[i]);
    };
    into(dpred, 1.0f);
    into(dtarget, -1.0f);
  });
}

// Loss functors rather than function pointers, so the kernels inline them.
struct Squared {
  float operator()(float d) const { return d * d; }
};

struct SquaredDerivative {
  float operator()(float d) const { return 2.0f * d; }
};

struct Huber {
  float beta;
  float operator()(float d) const {
    // Both branches computed, then selected: a branch-free loop vectorises.
    const float a = std::abs(d);
    const float quadratic = 0.5f * d * d / beta;
    const float linear = a - 0.5f * beta;
    return a < beta ? quadratic : linear;
  }
};

struct HuberDerivative {
  float beta;
  float operator()(float d) const {
    const float quadratic = d / beta;
    const float sign = static_cast<float>(d > 0.0f) - static_cast<float>(d < 0.0f);
    return std::abs(d) < beta ? quadratic : sign;
  }
};

}  // namespace

void mse_forward(float* out, const float* pred, const float* target, int64_t n) {
  pointwise_forward(out, pred, target, n, Squared{});
}

double mse_sum(const float* pred, const float* target, int64_t n) { return pointwise_sum(pred, target, n, Squared{}); }

void mse_backward(float* dpred, float* dtarget, const float* dout, bool dout_per_element, float scale,
                  const float* pred, const float* target, int64_t n) {
  pointwise_backward(dpred, dtarget, dout, dout_per_element, scale, pred, target, n, SquaredDerivative{});
}

void smooth_l1_forward(float* out, const float* pred, const float* target, float beta, int64_t n) {
  pointwise_forward(out, pred, target, n, Huber{beta});
}

double smooth_l1_sum(const float* pred, const float* target, float beta, int64_t n) {
  return pointwise_sum(pred, target, n, Huber{beta});
}

void smooth_l1_backward(float* dpred, float* dtarget, const float* dout, bool dout_per_element, float scale,
                        const float* pred, const float* target, float beta, int64_t n) {
  pointwise_backward(dpred, dtarget, dout, dout_per_element, scale, pred, target, n, HuberDerivative{beta});
}

}  // namespace sslflow::kernels
