// The two views a two-view (Siamese) method compares: its input port `input`, a repeated
// Features port that takes exactly two connections, one per view
// (`inputs: [backbone.0, backbone.1]`). Every error starts with the method's plugin name
// ("simclr: ...").
//
//   static Signature signature() { return {{two_views::port()}, {}}; }
//   void setup(const InputShapes& s, const NodeSetup&) { width_ = two_views::features(kName, s); }
//   StepOutput forward(const MethodInputs& in) { auto [x1, x2] = two_views::read(kName, in, width_); ... }
#pragma once

#include <cstdint>
#include <string>

#include "sslflow/interfaces/method.hpp"
#include "sslflow/ports.hpp"

namespace sslflow::two_views {

// The port, for the method's signature().
SSLFLOW_EXPORT PortSpec port();

// For setup(): the feature width F of the two views, whose per-sample shapes must both be
// [F]. Throws GraphError unless the port has exactly two connections, ShapeError unless
// the shapes are one [F].
SSLFLOW_EXPORT int64_t features(const std::string& method, const InputShapes& shapes);

struct Views {
  Var first;   // (B, F)
  Var second;  // (B, F)
};

// For forward(): the two views' features, each (B, features); throws GraphError for
// another number of views and ShapeError for other shapes.
SSLFLOW_EXPORT Views read(const std::string& method, const MethodInputs& inputs, int64_t features);

}  // namespace sslflow::two_views
