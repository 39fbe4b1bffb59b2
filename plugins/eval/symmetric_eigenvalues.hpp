// Eigenvalues of a real symmetric matrix: Householder reduction to tridiagonal form, then
// the QL algorithm with implicit shifts (Numerical Recipes, 3rd ed., tred2 and tqli,
// without eigenvectors). O(n^3) with a small constant: about 0.1 s for n = 512.
// Deterministic; throws Error when QL needs more than 30 sweeps for one eigenvalue.
#pragma once

#include <cstdint>
#include <vector>

namespace sslflow::eval {

// `a` (n, n) row-major, symmetric; it is overwritten. Returns the n eigenvalues, ascending.
std::vector<double> symmetric_eigenvalues(std::vector<double> a, int64_t n);

}  // namespace sslflow::eval
