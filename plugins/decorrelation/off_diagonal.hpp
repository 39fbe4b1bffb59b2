// The off-diagonal part of a square matrix, as the off_diagonal() of the VICReg and
// Barlow Twins reference code (facebookresearch/vicreg main_vicreg.py, facebookresearch/
// barlowtwins main.py), reduced the way both use it: the sum of its squares. Shared by the
// vicreg and barlow_twins plugins.
#pragma once

#include <string>

#include "sslflow/autograd.hpp"

namespace sslflow {

// sum_{i != j} m_ij^2 of a square matrix m (D, D), masked rather than computed as
// sum(m^2) - sum(diag(m)^2), which would cancel in float32 when the diagonal dominates.
// Throws ShapeError naming `method` unless m is square.
Var off_diagonal_square_sum(const std::string& method, const Var& m);

}  // namespace sslflow
