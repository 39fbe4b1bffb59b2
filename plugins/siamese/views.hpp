// The two views a Siamese method compares: its input port `input`, a repeated Features port
// that takes exactly two connections, one per view (`inputs: [backbone.0, backbone.1]`).
// Every error starts with the method's plugin name ("simclr: ...").
#pragma once

#include <cstdint>
#include <string>

#include "sslflow/interfaces/method.hpp"
#include "sslflow/ports.hpp"

namespace sslflow::siamese {

// The port, for the method's signature().
PortSpec views_port();

// For setup(): the feature width F of the two views, whose per-sample shapes must both be
// [F]. Throws GraphError unless the port has exactly two connections, ShapeError unless
// the shapes are one [F].
int64_t view_features(const std::string& method, const InputShapes& shapes);

struct Views {
  Var first;   // (B, F)
  Var second;  // (B, F)
};

// For forward(): the two views' features, each (B, features); throws GraphError for
// another number of views and ShapeError for other shapes.
Views read_views(const std::string& method, const MethodInputs& inputs, int64_t features);

}  // namespace sslflow::siamese
