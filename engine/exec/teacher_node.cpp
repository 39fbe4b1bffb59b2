#include "exec/teacher_node.hpp"

#include "exec/plugin_factory.hpp"
#include "sslflow/ema.hpp"

namespace sslflow::engine {

TeacherNode::TeacherNode(const NodeSpec& spec, size_t index, const PortTable& ports)
    : EncoderNode(spec, index, ports, spec.ema_of),
      schedule_(build<EmaScheduler>(spec.schedule, node_context(spec) + ", its schedule")) {}

void TeacherNode::initialise(const SetupPass&) { encoder().load_state_dict(student_->encoder().state_dict()); }

void TeacherNode::end_step(int64_t step, int64_t total, Metrics& metrics) {
  const double momentum = schedule_->momentum(step, total);
  ema_update(encoder(), student_->encoder(), momentum);
  metrics.emplace_back(spec().name + ".momentum", momentum);
  EncoderNode::end_step(step, total, metrics);
}

}  // namespace sslflow::engine
