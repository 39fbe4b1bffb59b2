// TeacherNode: an EMA teacher (`ema_of:` an encoder node): a second instance of its
// student's plugin with the same options, set up the same way (the same initialisation
// stream), which starts as an exact copy of the student and runs without gradient. After
// each optimizer step its parameters and buffers follow the student's, teacher <- m *
// teacher + (1 - m) * student, at its schedule's momentum m, logged as "<node>.momentum".
#pragma once

#include <memory>

#include "exec/encoder_node.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"

namespace sslflow::engine {

class TeacherNode final : public EncoderNode {
 public:
  TeacherNode(const NodeSpec& spec, size_t index, const PortTable& ports);

  // The encoder node it follows; called once, before setup().
  void follow(const EncoderNode& student) { student_ = &student; }
  void end_step(int64_t step, int64_t total, Metrics& metrics) override;

 protected:
  void initialise(const SetupPass& pass) override;

 private:
  std::shared_ptr<EmaScheduler> schedule_;
  const EncoderNode* student_ = nullptr;
};

}  // namespace sslflow::engine
