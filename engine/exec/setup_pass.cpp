#include "exec/setup_pass.hpp"

#include <span>

#include "sslflow/error.hpp"

namespace sslflow::engine {

SetupPass::SetupPass(const PortTable& ports, uint64_t seed, int64_t steps_per_epoch, bool load_weights)
    : ports_(ports),
      seed_(seed),
      steps_per_epoch_(steps_per_epoch),
      load_weights_(load_weights),
      shapes_(ports.size()),
      dry_(ports) {}

void SetupPass::provide(PortId id, const Shape& sample) {
  shapes_.at(id) = {sample};
  std::vector<int64_t> dims{kDryBatch};
  for (int64_t d : sample) dims.push_back(d);
  dry_[id] = Packet{{Var(Tensor(Shape(dims)))}};
}

void SetupPass::record(PortId id) {
  std::vector<Shape> shapes;
  for (const Var& v : dry_[id].values) {
    const std::vector<int64_t> dims = v.shape().to_vector();
    shapes.emplace_back(std::span<const int64_t>(dims).subspan(1));
  }
  shapes_.at(id) = std::move(shapes);
}

const std::vector<Shape>& SetupPass::shapes(PortId id) const {
  const std::vector<Shape>& shapes = shapes_.at(id);
  if (shapes.empty()) throw GraphError("port '" + ports_.name(id) + "' carries no value");
  return shapes;
}

}  // namespace sslflow::engine
