#include "exec/ema.hpp"

#include "sslflow/error.hpp"

namespace sslflow::engine {

void ema_update(Module& teacher, const Module& student, double momentum) {
  NamedTensors target = teacher.state_dict();
  const NamedTensors source = student.state_dict();
  if (target.size() != source.size())
    throw Error("EMA: the teacher has " + std::to_string(target.size()) + " tensors, its student " +
                std::to_string(source.size()));
  const float m = static_cast<float>(momentum);
  for (size_t k = 0; k < target.size(); ++k) {
    if (target[k].first != source[k].first || !(target[k].second.shape() == source[k].second.shape()))
      throw Error("EMA: teacher tensor '" + target[k].first + "' does not match student tensor '" + source[k].first + "'");
    float* t = target[k].second.data();
    const float* s = source[k].second.data();
    for (int64_t i = 0; i < target[k].second.numel(); ++i) t[i] = m * t[i] + (1.0f - m) * s[i];
  }
}

}  // namespace sslflow::engine
