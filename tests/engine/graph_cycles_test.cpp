// Cycles through every kind of connection, and references to nodes without outputs: each
// is a ConfigError at the reference at fault, naming the nodes.
#include <catch2/catch.hpp>

#include "validate_expect.hpp"

using sslflow::testing::require_error_at;

namespace {

const char* kHead = R"(data: {plugin: toy}
train: {optimizer: toy_sgd}
nodes:
)";

std::string pipeline(const std::string& nodes) { return kHead + nodes; }

}  // namespace

TEST_CASE("Graph.cycle.self_reference_through_input", "[engine]") {
  require_error_at(pipeline(R"(  a: {plugin: toy_noise, input: a}
  enc: {plugin: toy_linear, input: a}
  objective: {plugin: toy_align, inputs: [enc, enc]}
)"),
                   4, 33, "cycle: a -> a (closed where 'a' names 'a')");
}

TEST_CASE("Graph.cycle.three_nodes_in_order", "[engine]") {
  require_error_at(pipeline(R"(  a: {plugin: toy_noise, input: c}
  b: {plugin: toy_noise, input: a}
  c: {plugin: toy_noise, input: b}
  enc: {plugin: toy_linear, input: a}
  objective: {plugin: toy_align, inputs: [enc, enc]}
)"),
                   4, 33, "cycle: a -> b -> c -> a (closed where 'a' names 'c')");
}

TEST_CASE("Graph.cycle.through_a_repeated_input", "[engine]") {
  require_error_at(pipeline(R"(  view: {plugin: toy_noise, input: enc.1}
  enc: {plugin: toy_linear, inputs: [data.image, view]}
  objective: {plugin: toy_align, inputs: [enc.0, enc.1]}
)"),
                   4, 36, "cycle: view -> enc -> view (closed where 'view' names 'enc')");
}

TEST_CASE("Graph.cycle.through_a_mask", "[engine]") {
  require_error_at(pipeline(R"(  mask: {plugin: toy_mask, input: student}
  student: {plugin: toy_tokens, input: data.image, mask: mask}
  teacher: {ema_of: student, input: data.image, schedule: toy_constant}
  objective: {plugin: toy_masked, student: student, teacher: teacher.blocks, mask: mask}
)"),
                   4, 35, "cycle: mask -> student -> mask (closed where 'mask' names 'student')");
}

TEST_CASE("Graph.cycle.method_reading_itself", "[engine]") {
  require_error_at(pipeline(R"(  mask: {plugin: toy_mask, input: data.image}
  student: {plugin: toy_tokens, input: data.image, mask: mask}
  objective: {plugin: toy_masked, student: student, teacher: objective, mask: mask}
)"),
                   6, 62, "cycle: objective -> objective");
}

TEST_CASE("Graph.cycle.student_reading_its_teacher", "[engine]") {
  require_error_at(pipeline(R"(  student: {plugin: toy_tokens, input: data.image, mask: teacher}
  teacher: {ema_of: student, input: data.image, schedule: toy_constant}
  objective: {plugin: toy_masked, student: student, teacher: teacher.blocks, mask: student}
)"),
                   4, 58, "cycle: student -> teacher -> student (closed where 'student' names 'teacher')");
}

TEST_CASE("Graph.cycle.teacher_of_itself", "[engine]") {
  require_error_at(pipeline(R"(  student: {plugin: toy_tokens, input: data.image}
  teacher: {ema_of: teacher, input: data.image, schedule: toy_constant}
  objective: {plugin: toy_masked, student: student, teacher: teacher.blocks, mask: student}
)"),
                   5, 21, "cycle: teacher -> teacher");
}

TEST_CASE("Graph.cycle.teachers_of_each_other", "[engine]") {
  require_error_at(pipeline(R"(  t1: {ema_of: t2, input: data.image, schedule: toy_constant}
  t2: {ema_of: t1, input: data.image, schedule: toy_constant}
  objective: {plugin: toy_align, inputs: [t1, t2]}
)"),
                   4, 16, "cycle: t1 -> t2 -> t1 (closed where 't1' names 't2')");
}

TEST_CASE("Graph.reference.node_without_outputs", "[engine]") {
  require_error_at(pipeline(R"(  enc: {plugin: toy_linear, input: data.image}
  objective: {plugin: toy_align, inputs: [enc, enc]}
  view: {plugin: toy_noise, input: objective}
)"),
                   6, 36, "input 'input' reads 'objective', which has no outputs (a method node)");
}
