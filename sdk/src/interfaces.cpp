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
  return {{{kInput, PortType::Image, "images to encode (several: one application each)", false, true},
           {kMask, PortType::Mask, "tokens to replace by the mask token", true, false}},
          {{kOut, PortType::Features, "one representation per sample"},
           {kTokens, PortType::Tokens, "one representation per token"},
           {kBlocks, PortType::Blocks, "the output of every block"}}};
}

Signature Transform::signature() {
  return {{{kInput, PortType::Image, "the images to transform"}},
          {{kOut, PortType::Image, "the transformed images"}}};
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

}  // namespace sslflow
