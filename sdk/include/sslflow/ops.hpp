// Differentiable ops on Vars: the building blocks of every encoder, method and loss.
//
// Each op is a pair of plain kernels (forward, and a backward that accumulates with +=)
// wrapped once with Var::from_op. Shapes are checked up front; a mismatch throws
// ShapeError naming the op and the shapes. Negative `dim` counts from the end. Every op
// has a finite-difference gradient check in tests/sdk (sslflow/testing/gradcheck.hpp).
//
// Element-wise binary ops broadcast as NumPy does (trailing dimensions aligned, size-1
// dimensions stretched); their backward sums the gradient back to each input's shape.
#pragma once

#include <cstdint>
#include <vector>

#include "sslflow/autograd.hpp"
#include "sslflow/export.hpp"

namespace sslflow {

enum class Reduction { Mean, Sum, None };

// ---- linear algebra -----------------------------------------------------------------
// (M, K) x (K, N) -> (M, N); batched (B, M, K) x (B, K, N) -> (B, M, N).
SSLFLOW_EXPORT Var matmul(const Var& a, const Var& b);
// x (..., in) . weight (out, in)^T + bias (out) -> (..., out); bias may be undefined.
SSLFLOW_EXPORT Var linear(const Var& x, const Var& weight, const Var& bias = {});

// ---- element-wise --------------------------------------------------------------------
SSLFLOW_EXPORT Var add(const Var& a, const Var& b);
SSLFLOW_EXPORT Var sub(const Var& a, const Var& b);
SSLFLOW_EXPORT Var mul(const Var& a, const Var& b);
SSLFLOW_EXPORT Var div(const Var& a, const Var& b);
SSLFLOW_EXPORT Var add(const Var& a, float s);
SSLFLOW_EXPORT Var mul(const Var& a, float s);
SSLFLOW_EXPORT Var neg(const Var& a);
SSLFLOW_EXPORT Var relu(const Var& x);
SSLFLOW_EXPORT Var gelu(const Var& x);  // exact, with erf (PyTorch's default)
SSLFLOW_EXPORT Var exp(const Var& x);
SSLFLOW_EXPORT Var log(const Var& x);
SSLFLOW_EXPORT Var sqrt(const Var& x);
SSLFLOW_EXPORT Var square(const Var& x);

inline Var operator+(const Var& a, const Var& b) { return add(a, b); }
inline Var operator-(const Var& a, const Var& b) { return sub(a, b); }
inline Var operator*(const Var& a, const Var& b) { return mul(a, b); }
inline Var operator/(const Var& a, const Var& b) { return div(a, b); }
inline Var operator+(const Var& a, float s) { return add(a, s); }
inline Var operator-(const Var& a, float s) { return add(a, -s); }
inline Var operator*(const Var& a, float s) { return mul(a, s); }
inline Var operator*(float s, const Var& a) { return mul(a, s); }
inline Var operator-(const Var& a) { return neg(a); }
inline Var operator/(const Var& a, float s) { return mul(a, 1.0f / s); }
inline Var operator+(float s, const Var& a) { return add(a, s); }
inline Var operator-(float s, const Var& a) { return add(neg(a), s); }
inline Var operator/(float s, const Var& a) { return div(Var(Tensor::scalar(s)), a); }

// ---- reductions ----------------------------------------------------------------------
SSLFLOW_EXPORT Var sum(const Var& x);  // all elements -> scalar
SSLFLOW_EXPORT Var sum(const Var& x, int dim, bool keepdim = false);
SSLFLOW_EXPORT Var mean(const Var& x);
SSLFLOW_EXPORT Var mean(const Var& x, int dim, bool keepdim = false);
// The variance along dim: the mean squared deviation from the mean, over n - 1 when
// unbiased (torch.var's default; needs n >= 2), over n otherwise. std_dev is its square
// root (torch.std); add an epsilon to var before sqrt where a gradient at 0 must stay finite.
SSLFLOW_EXPORT Var var(const Var& x, int dim, bool unbiased = true, bool keepdim = false);
SSLFLOW_EXPORT Var std_dev(const Var& x, int dim, bool unbiased = true, bool keepdim = false);
// log(sum(exp(x))) along dim, shifted by the maximum so that it cannot overflow (torch.logsumexp).
SSLFLOW_EXPORT Var logsumexp(const Var& x, int dim, bool keepdim = false);
// Running sums along dim: out[..., j, ...] = sum of x[..., 0..j, ...] (torch.cumsum).
SSLFLOW_EXPORT Var cumsum(const Var& x, int dim);

// ---- shape ---------------------------------------------------------------------------
SSLFLOW_EXPORT Var reshape(const Var& x, const Shape& shape);
SSLFLOW_EXPORT Var transpose(const Var& x, int dim0, int dim1);
SSLFLOW_EXPORT Var concat(const std::vector<Var>& xs, int dim);
// Elements [start, end) along dim.
SSLFLOW_EXPORT Var slice(const Var& x, int dim, int64_t start, int64_t end);
// Entries `index` along dim (torch.index_select); indices may repeat.
SSLFLOW_EXPORT Var index_select(const Var& x, int dim, const std::vector<int64_t>& index);

// ---- indexing -----------------------------------------------------------------------
// Integer positions with a shape, row-major (what PyTorch holds in a LongTensor).
struct Indices {
  Shape shape;
  std::vector<int64_t> values;
};

// out[..., j, ...] = x[..., index[..., j, ...], ...] along dim (torch.gather). `index` has
// x's rank and x's extents except along dim; out has index's shape. An index outside
// [0, x's extent along dim) is a ShapeError.
SSLFLOW_EXPORT Var gather(const Var& x, int dim, const Indices& index);
// A copy of x with out[..., index[..., j, ...], ...] = src[..., j, ...] along dim
// (torch.scatter); src has index's shape. Where an index repeats, the last write wins and
// every write's src gets the gradient, as in PyTorch.
SSLFLOW_EXPORT Var scatter(const Var& x, int dim, const Indices& index, const Var& src);
// The same with += instead of = (torch.scatter_add): repeated indices add up.
SSLFLOW_EXPORT Var scatter_add(const Var& x, int dim, const Indices& index, const Var& src);
// a where condition is non-zero, b elsewhere; all three of one shape (torch.where).
SSLFLOW_EXPORT Var where(const Tensor& condition, const Var& a, const Var& b);
// The main diagonal of a matrix (n, m) -> (min(n, m)) (torch.diagonal).
SSLFLOW_EXPORT Var diagonal(const Var& x);
// The identity matrix (n, n).
SSLFLOW_EXPORT Tensor eye(int64_t n);

// ---- ordering, without gradient --------------------------------------------------------
// To carry a gradient through a selection, gather the values with the returned indices.
struct Sorted {
  Tensor values;
  Indices indices;
};
// The position of the largest value along dim, the first one where it repeats (torch.argmax).
SSLFLOW_EXPORT Indices argmax(const Tensor& x, int dim, bool keepdim = false);
// The k largest (or smallest) values along dim and their positions, in order, ties by
// position (torch.topk with sorted=True); 1 <= k <= the extent along dim.
SSLFLOW_EXPORT Sorted topk(const Tensor& x, int64_t k, int dim = -1, bool largest = true);
// Every value along dim in ascending (or descending) order, and the permutation: a stable
// sort (torch.sort with stable=True); sort(x).indices is argsort.
SSLFLOW_EXPORT Sorted sort(const Tensor& x, int dim = -1, bool descending = false);

// ---- convolution and pooling (x is (N, C, H, W)) ---------------------------------------
// weight (O, C, kh, kw), bias (O) or undefined -> (N, O, H', W').
SSLFLOW_EXPORT Var conv2d(const Var& x, const Var& weight, const Var& bias = {}, int stride = 1, int padding = 0);
SSLFLOW_EXPORT Var avg_pool2d(const Var& x, int kernel, int stride, int padding = 0);  // padding counted
SSLFLOW_EXPORT Var max_pool2d(const Var& x, int kernel, int stride, int padding = 0);
SSLFLOW_EXPORT Var global_avg_pool2d(const Var& x);  // -> (N, C)

// ---- normalisation ---------------------------------------------------------------------
// x (N, C) or (N, C, H, W); weight, bias (C). In training, normalises by the batch
// statistics and updates running_mean/var in place (momentum, unbiased variance, as
// PyTorch); in evaluation, normalises by the running statistics. Undefined running
// tensors mean batch statistics always (track_running_stats = False).
SSLFLOW_EXPORT Var batch_norm(const Var& x, const Var& weight, const Var& bias, Tensor running_mean,
                              Tensor running_var, bool training, float momentum = 0.1f, float eps = 1e-5f);
// relu(batch_norm(...)) with the same values and gradients, in one pass over memory each
// way instead of two.
SSLFLOW_EXPORT Var batch_norm_relu(const Var& x, const Var& weight, const Var& bias, Tensor running_mean,
                                   Tensor running_var, bool training, float momentum = 0.1f, float eps = 1e-5f);
// Over the last dimension; weight, bias (D) may be undefined.
SSLFLOW_EXPORT Var layer_norm(const Var& x, const Var& weight, const Var& bias, float eps = 1e-5f);

// ---- probabilities and attention ---------------------------------------------------------
SSLFLOW_EXPORT Var softmax(const Var& x, int dim = -1);
SSLFLOW_EXPORT Var log_softmax(const Var& x, int dim = -1);
// Multi-head self-attention on x (B, T, D), PyTorch nn.MultiheadAttention layout:
// in_proj_weight (3D, D) rows [q; k; v], in_proj_bias (3D), out_proj_weight (D, D),
// out_proj_bias (D); scaled dot-product with scale 1/sqrt(D/heads). -> (B, T, D).
SSLFLOW_EXPORT Var multi_head_attention(const Var& x, const Var& in_proj_weight, const Var& in_proj_bias,
                                        const Var& out_proj_weight, const Var& out_proj_bias, int heads);

// ---- similarity ------------------------------------------------------------------------------
// x / max(||x||_2, eps) along dim (F.normalize).
SSLFLOW_EXPORT Var l2_normalize(const Var& x, int dim = -1, float eps = 1e-12f);
// <a / max(||a||, eps), b / max(||b||, eps)> along dim, which is removed: each norm clamped
// on its own, as F.cosine_similarity in PyTorch 1.13 (for norms above eps, <a, b> / (||a|| ||b||)).
SSLFLOW_EXPORT Var cosine_similarity(const Var& a, const Var& b, int dim = -1, float eps = 1e-8f);

// ---- losses ------------------------------------------------------------------------------------
SSLFLOW_EXPORT Var mse_loss(const Var& pred, const Var& target, Reduction reduction = Reduction::Mean);
// Huber with transition beta: 0.5 d^2 / beta if |d| < beta, else |d| - 0.5 beta (F.smooth_l1_loss).
SSLFLOW_EXPORT Var smooth_l1_loss(const Var& pred, const Var& target, float beta = 1.0f,
                                  Reduction reduction = Reduction::Mean);
// logits (N, C), labels in [0, C) -> mean negative log-likelihood (F.cross_entropy).
SSLFLOW_EXPORT Var cross_entropy(const Var& logits, const std::vector<int64_t>& labels,
                                 Reduction reduction = Reduction::Mean);

}  // namespace sslflow
