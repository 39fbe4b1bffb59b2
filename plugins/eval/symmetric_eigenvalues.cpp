#include "symmetric_eigenvalues.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sslflow/error.hpp"

namespace sslflow::eval {

namespace {

// Householder reduction of a (n, n) to a tridiagonal matrix with diagonal d and
// subdiagonal e (e[i] couples rows i - 1 and i; e[0] = 0).
void tridiagonalize(std::vector<double>& a, int64_t n, std::vector<double>& d, std::vector<double>& e) {
  auto at = [&](int64_t i, int64_t j) -> double& { return a[size_t(i * n + j)]; };
  for (int64_t i = n - 1; i > 0; --i) {
    const int64_t l = i - 1;
    double h = 0.0;
    if (l > 0) {
      double scale = 0.0;
      for (int64_t k = 0; k < i; ++k) scale += std::abs(at(i, k));
      if (scale == 0.0) {
        e[size_t(i)] = at(i, l);
      } else {
        for (int64_t k = 0; k < i; ++k) {
          at(i, k) /= scale;
          h += at(i, k) * at(i, k);
        }
        double f = at(i, l);
        double g = f >= 0.0 ? -std::sqrt(h) : std::sqrt(h);
        e[size_t(i)] = scale * g;
        h -= f * g;
        at(i, l) = f - g;
        f = 0.0;
        for (int64_t j = 0; j < i; ++j) {
          g = 0.0;
          for (int64_t k = 0; k <= j; ++k) g += at(j, k) * at(i, k);
          for (int64_t k = j + 1; k < i; ++k) g += at(k, j) * at(i, k);
          e[size_t(j)] = g / h;
          f += e[size_t(j)] * at(i, j);
        }
        const double hh = f / (h + h);
        for (int64_t j = 0; j < i; ++j) {
          f = at(i, j);
          g = e[size_t(j)] - hh * f;
          e[size_t(j)] = g;
          for (int64_t k = 0; k <= j; ++k) at(j, k) -= f * e[size_t(k)] + g * at(i, k);
        }
      }
    } else {
      e[size_t(i)] = at(i, l);
    }
  }
  e[0] = 0.0;
  for (int64_t i = 0; i < n; ++i) d[size_t(i)] = at(i, i);
}

// Diagonalises the tridiagonal (d, e) in place: d becomes the eigenvalues.
void tridiagonal_ql(std::vector<double>& d, std::vector<double>& e) {
  const int64_t n = int64_t(d.size());
  for (int64_t i = 1; i < n; ++i) e[size_t(i - 1)] = e[size_t(i)];
  e[size_t(n - 1)] = 0.0;
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  for (int64_t l = 0; l < n; ++l) {
    int sweeps = 0;
    int64_t m = l;
    do {
      for (m = l; m < n - 1; ++m) {
        const double dd = std::abs(d[size_t(m)]) + std::abs(d[size_t(m + 1)]);
        if (std::abs(e[size_t(m)]) <= kEps * dd) break;
      }
      if (m == l) break;
      if (++sweeps > 30) throw Error("health: the eigenvalue iteration did not converge");
      double g = (d[size_t(l + 1)] - d[size_t(l)]) / (2.0 * e[size_t(l)]);
      double r = std::hypot(g, 1.0);
      g = d[size_t(m)] - d[size_t(l)] + e[size_t(l)] / (g + std::copysign(r, g));
      double s = 1.0, c = 1.0, p = 0.0;
      int64_t i = m - 1;
      for (; i >= l; --i) {
        const double f = s * e[size_t(i)];
        const double b = c * e[size_t(i)];
        r = std::hypot(f, g);
        e[size_t(i + 1)] = r;
        if (r == 0.0) {  // underflow: deflate and sweep again
          d[size_t(i + 1)] -= p;
          e[size_t(m)] = 0.0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[size_t(i + 1)] - p;
        r = (d[size_t(i)] - g) * s + 2.0 * c * b;
        p = s * r;
        d[size_t(i + 1)] = g + p;
        g = c * r - b;
      }
      if (r == 0.0 && i >= l) continue;
      d[size_t(l)] -= p;
      e[size_t(l)] = g;
      e[size_t(m)] = 0.0;
    } while (m != l);
  }
}

}  // namespace

std::vector<double> symmetric_eigenvalues(std::vector<double> a, int64_t n) {
  std::vector<double> d(static_cast<size_t>(n)), e(static_cast<size_t>(n));
  if (n == 0) return d;
  tridiagonalize(a, n, d, e);
  tridiagonal_ql(d, e);
  std::sort(d.begin(), d.end());
  return d;
}

}  // namespace sslflow::eval
