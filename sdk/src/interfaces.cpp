// Key functions of the plugin interfaces: their type information lives in the sdk library,
// so dynamic_cast between interfaces works across plugin libraries.
#include "sslflow/error.hpp"
#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/interfaces/encoder.hpp"
#include "sslflow/interfaces/evaluator.hpp"
#include "sslflow/interfaces/loss.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/interfaces/optimizer.hpp"
#include "sslflow/interfaces/transform.hpp"

namespace sslflow {

Loss::~Loss() = default;
EmaScheduler::~EmaScheduler() = default;
Encoder::~Encoder() = default;
Method::~Method() = default;
Transform::~Transform() = default;
Dataset::~Dataset() = default;
std::optional<DatasetShape> Dataset::peek() const { return std::nullopt; }
Optimizer::~Optimizer() = default;
Evaluator::~Evaluator() = default;

Signature Encoder::signature() {
  return {{{"input", PortType::Image, "images to encode (several: one application each)", false, true},
           {"mask", PortType::Mask, "tokens to replace by the mask token", true, false}},
          {{"out", PortType::Features, "one representation per sample"},
           {"tokens", PortType::Tokens, "one representation per token"},
           {"blocks", PortType::Blocks, "the output of every block"}}};
}

Signature Transform::signature() {
  return {{{"input", PortType::Image, "the images to transform"}},
          {{"out", PortType::Image, "the transformed images"}}};
}

const char* to_string(PortType type) {
  switch (type) {
    case PortType::Image: return "Image";
    case PortType::Mask: return "Mask";
    case PortType::Labels: return "Labels";
    case PortType::Features: return "Features";
    case PortType::Tokens: return "Tokens";
    case PortType::Blocks: return "Blocks";
  }
  return "?";
}

void MethodInputs::add(const std::string& port, Packet packet) {
  for (auto& [name, packets] : ports_)
    if (name == port) {
      packets.push_back(std::move(packet));
      return;
    }
  ports_.emplace_back(port, std::vector<Packet>{std::move(packet)});
}

size_t MethodInputs::count(const std::string& port) const {
  for (const auto& [name, packets] : ports_)
    if (name == port) return packets.size();
  return 0;
}

const Packet& MethodInputs::get(const std::string& port, size_t index) const {
  for (const auto& [name, packets] : ports_)
    if (name == port && index < packets.size()) return packets[index];
  throw GraphError("method input '" + port + "' #" + std::to_string(index) + " is not connected");
}

}  // namespace sslflow
