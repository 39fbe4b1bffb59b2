// EncoderNode: an encoder node. Set up for its first input's sample shape, then given its
// initial weights (initialise(): the tensors `load:` names, if any); a forward of two
// samples in evaluation mode, without gradient, then gives the per-sample shapes of its
// outputs. In a step, application a encodes input a (or the only input), with the mask
// when one is connected, inside an nn::ApplicationScope so that state updated outside the
// gradient changes as if the applications ran in order. A frozen encoder stays in
// evaluation mode and runs without gradient.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/live_node.hpp"
#include "sslflow/interfaces/encoder.hpp"

namespace sslflow::engine {

class EncoderNode : public LiveNode {
 public:
  EncoderNode(const NodeSpec& spec, size_t index, const PortTable& ports);

  Encoder& encoder() const { return *encoder_; }
  Module* module() const override { return encoder_.get(); }
  void setup(SetupPass& pass) override;
  int applications() const override { return spec().applications(); }
  std::vector<PortId> reads(int application) const override;
  void run(int application, StepValues& values) override;

 protected:
  // `init_name` names the random stream of the initialisation (NodeSetup::node_name).
  EncoderNode(const NodeSpec& spec, size_t index, const PortTable& ports, std::string init_name);
  // After setup(), before the forward of two samples.
  virtual void initialise(const SetupPass& pass);

 private:
  struct Outputs {  // of one application; an output the plugin does not declare has none
    std::optional<PortId> out, tokens, blocks;
  };

  PortId input(int application) const;  // the images application `application` encodes

  std::string init_name_;
  std::shared_ptr<Encoder> encoder_;
  std::vector<PortId> inputs_;
  std::optional<PortId> mask_;
  std::vector<Outputs> outputs_;  // per application
};

}  // namespace sslflow::engine
