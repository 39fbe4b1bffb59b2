#include "sslflow/two_views.hpp"

#include <vector>

#include "sslflow/error.hpp"

namespace sslflow::two_views {

namespace {

constexpr const char* kPort = "input";

std::string view_count_error(const std::string& method, size_t count) {
  return method + ": input '" + kPort + "' needs exactly two connections, one per view " +
         "(inputs: [backbone.0, backbone.1]), got " + std::to_string(count);
}

}  // namespace

PortSpec port() { return {kPort, PortType::Features, "the two views' features (B, F), in order", false, true, 2}; }

int64_t features(const std::string& method, const InputShapes& shapes) {
  if (shapes.count(kPort) != 2) throw GraphError(view_count_error(method, shapes.count(kPort)));
  const Shape& first = shapes.get(kPort, 0);
  const Shape& second = shapes.get(kPort, 1);
  if (first.rank() != 1 || !(second == first))
    throw ShapeError(method + ": the two views need features of one shape [F], got " + first.str() + " and " +
                     second.str());
  return first[0];
}

Views read(const std::string& method, const MethodInputs& inputs, int64_t features) {
  if (inputs.count(kPort) != 2) throw GraphError(view_count_error(method, inputs.count(kPort)));
  Views views{inputs.get(kPort, 0).value(), inputs.get(kPort, 1).value()};
  const Var& x1 = views.first;
  const Var& x2 = views.second;
  if (x1.rank() != 2 || x1.dim(1) != features || !(x2.shape() == x1.shape()))
    throw ShapeError(method + ": expected two views of features (B, " + std::to_string(features) + "), got " +
                     x1.shape().str() + " and " + x2.shape().str());
  return views;
}

}  // namespace sslflow::two_views
