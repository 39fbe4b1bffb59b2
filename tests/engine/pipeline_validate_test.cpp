#include <catch2/catch.hpp>

#include <algorithm>

#include "exec/nodes.hpp"
#include "validate_expect.hpp"

using namespace sslflow;
using sslflow::testing::require_error_at;
using sslflow::testing::validate_text;

namespace {

const char* kTwoViews = R"(name: two-views
seed: 3
train: {epochs: 2, batch_size: 16, optimizer: {plugin: toy_sgd, lr: 0.5}}
data: {plugin: toy}
nodes:
  view1: {plugin: toy_noise, input: data.image}
  view2: {plugin: toy_noise, input: data.image, std: 0.1}
  backbone: {plugin: toy_linear, inputs: [view1, view2], dim: 8}
  objective: {plugin: toy_align, inputs: [backbone.0, backbone.1]}
eval:
  - {plugin: toy_mean}
)";

}  // namespace

TEST_CASE("Engine.validate.two_views", "[engine]") {
  engine::ValidatedPipeline p = validate_text(kTwoViews);
  REQUIRE(p.name == "two-views");
  REQUIRE(p.seed == 3);
  REQUIRE(p.train.batch_size == 16);
  REQUIRE(p.train.optimizer.name == "toy_sgd");
  REQUIRE(p.graph->nodes().size() == 4);
  const auto& order = p.graph->order();
  auto position = [&](const std::string& name) {
    for (size_t k = 0; k < order.size(); ++k)
      if (p.graph->nodes()[order[k]].name == name) return k;
    return order.size();
  };
  REQUIRE(position("view1") < position("backbone"));
  REQUIRE(position("backbone") < position("objective"));
  REQUIRE(p.graph->node("backbone").applications() == 2);
  REQUIRE(p.graph->node("objective").connections("input").at(1).port == "out");
  REQUIRE(p.evals.at(0).node == "backbone");
  REQUIRE(p.graph->node("objective").plugin.nested.at(0).plugin.name == "toy_mse");
  const std::string dot = p.graph->to_dot();
  REQUIRE_THAT(dot, Catch::Contains("backbone\\nencoder/toy_linear"));
  REQUIRE_THAT(dot, Catch::Contains("->"));
}

TEST_CASE("Engine.validate.unknown_plugin_suggests", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find("toy_linear"), 10, "toy_linaer");
  require_error_at(yaml, 8, 22, "did you mean 'toy_linear'");
}

TEST_CASE("Engine.validate.unknown_option_suggests", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find("dim: 8"), 3, "dmi");
  require_error_at(yaml, 8, 58, "unknown option 'dmi', did you mean 'dim'");
}

TEST_CASE("Engine.validate.ill_typed_option", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find("std: 0.1"), 8, "std: big");
  require_error_at(yaml, 7, 54, "option 'std' expects float");
}

TEST_CASE("Engine.validate.option_out_of_range", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find("lr: 0.5"), 7, "lr: -1.0");
  require_error_at(yaml, 3, 69, "out of range");
}

TEST_CASE("Engine.validate.missing_input", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find(", inputs: [backbone.0, backbone.1]"), 34, "");
  require_error_at(yaml, 9, 14, "needs input 'input'");
}

TEST_CASE("Engine.validate.dangling_reference", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find("[view1, view2]"), 14, "[view1, veiw2]");
  require_error_at(yaml, 8, 50, "'veiw2' names no node, did you mean 'view2'");
}

TEST_CASE("Engine.validate.port_type_mismatch", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find("[backbone.0, backbone.1]"), 24, "[view1, backbone.1]");
  require_error_at(yaml, 9, 43, "expects Features, but 'view1.out' is Image");
}

TEST_CASE("Engine.validate.application_index_required", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find("[backbone.0, backbone.1]"), 24, "[backbone, backbone.1]");
  require_error_at(yaml, 9, 43, "runs on 2 inputs");
}

TEST_CASE("Engine.validate.repeated_input_below_its_minimum_count", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find("[backbone.0, backbone.1]"), 24, "[backbone.0]");
  require_error_at(yaml, 9, 42, "input 'input' takes at least 2 connections (two views or more), got 1");
}

TEST_CASE("Engine.validate.cycle_names_the_chain", "[engine]") {
  const char* yaml = R"(data: {plugin: toy}
train: {optimizer: toy_sgd}
nodes:
  a: {plugin: toy_noise, input: b}
  b: {plugin: toy_noise, input: a}
  enc: {plugin: toy_linear, input: a}
  objective: {plugin: toy_align, inputs: [enc, enc]}
)";
  require_error_at(yaml, 4, 33, "cycle: a -> b -> a (closed where 'a' names 'b')");
}

TEST_CASE("Engine.validate.reading_a_node_without_outputs_is_an_error", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.insert(yaml.find("eval:"), "  noisy: {plugin: toy_noise, input: objective}\n");
  require_error_at(yaml, 10, 37, "reads 'objective', which has no outputs (a method node)");
}

TEST_CASE("Engine.validate.self_reference_is_a_cycle", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find("input: data.image, std"), 17, "input: view2");
  require_error_at(yaml, 7, 37, "cycle: view2 -> view2");
}

TEST_CASE("Engine.validate.teacher_of_unknown_node", "[engine]") {
  const char* yaml = R"(data: {plugin: toy}
train: {optimizer: toy_sgd}
nodes:
  mask: {plugin: toy_mask, input: data.image}
  student: {plugin: toy_tokens, input: data.image, mask: mask}
  teacher: {ema_of: studnet, input: data.image, schedule: {plugin: toy_constant}}
  objective: {plugin: toy_masked, student: student, teacher: teacher.blocks, mask: mask}
)";
  require_error_at(yaml, 6, 21, "did you mean 'student'");
}

namespace {

std::string with_teacher(const std::string& teacher) {
  return R"(data: {plugin: toy}
train: {optimizer: toy_sgd}
nodes:
  mask: {plugin: toy_mask, input: data.image}
  student: {plugin: toy_tokens, input: data.image, mask: mask}
  teacher: )" + teacher + R"(
  objective: {plugin: toy_masked, student: student, teacher: teacher.blocks, mask: mask}
)";
}

}  // namespace

TEST_CASE("Engine.validate.teacher_needs_a_schedule", "[engine]") {
  require_error_at(with_teacher("{ema_of: student, input: data.image}"), 6, 12, "teacher node 'teacher' needs a schedule");
}

TEST_CASE("Engine.validate.teacher_takes_only_its_students_ports", "[engine]") {
  require_error_at(with_teacher("{ema_of: student, schedul: toy_constant, input: data.image}"), 6, 30,
                   "teacher node 'teacher' takes no key 'schedul', did you mean 'schedule'?");
  require_error_at(with_teacher("{ema_of: student, schedule: toy_constant, input: data.image, dim: 3}"), 6, 73,
                   "takes no key 'dim' (a teacher copies its student's options; it takes ema_of, schedule, input, "
                   "inputs, mask)");
}

TEST_CASE("Engine.validate.a_teacher_may_read_a_mask_of_its_own", "[engine]") {
  engine::ValidatedPipeline p =
      validate_text(with_teacher("{ema_of: student, schedule: toy_constant, input: data.image, mask: mask}"));
  REQUIRE(p.graph->node("teacher").connections("mask").at(0).node == "mask");
}

TEST_CASE("Engine.validate.reference_grammar", "[engine]") {
  for (const char* bad : {"data.image.0", "view1..out", "2view", "view1.0.1", "view1.o-ut"}) {
    std::string yaml = kTwoViews;
    yaml.replace(yaml.find("[view1, view2]"), 14, std::string("[view1, ") + bad + "]");
    require_error_at(yaml, 8, 50, "is not a reference; write node, node.port, node.N or node.N.port");
  }
}

TEST_CASE("Engine.validate.teacher_with_blocks", "[engine]") {
  const char* yaml = R"(data: {plugin: toy}
train: {optimizer: toy_sgd}
nodes:
  mask: {plugin: toy_mask, input: data.image}
  student: {plugin: toy_tokens, input: data.image, mask: mask, dim: 5}
  teacher: {ema_of: student, input: data.image, schedule: {plugin: toy_constant, momentum: 0.5}}
  objective: {plugin: toy_masked, student: student, teacher: teacher.blocks, mask: mask}
)";
  engine::ValidatedPipeline p = validate_text(yaml);
  const auto& teacher = p.graph->node("teacher");
  REQUIRE(teacher.is_teacher());
  REQUIRE(teacher.plugin.name == "toy_tokens");
  REQUIRE(teacher.plugin.params.get<int64_t>("dim") == 5);
  REQUIRE(p.graph->node("objective").connections("student").at(0).port == "tokens");
}

TEST_CASE("Engine.validate.each_reference_reads_one_numbered_port", "[engine]") {
  engine::ValidatedPipeline p = validate_text(kTwoViews);
  const engine::PortTable& ports = p.graph->ports();
  REQUIRE(ports.name(engine::PortTable::kImage) == "data.image");
  REQUIRE(ports.name(engine::PortTable::kLabel) == "data.label");
  REQUIRE(p.graph->node("view1").connections("input").at(0).id == engine::PortTable::kImage);
  const auto& views = p.graph->node("objective").connections("input");
  REQUIRE(ports.name(views.at(0).id) == "backbone.0.out");
  REQUIRE(ports.name(views.at(1).id) == "backbone.1.out");
  REQUIRE(ports.application(views.at(1).id) == 1);
  REQUIRE(p.graph->nodes().at(ports.producer(views.at(1).id)).name == "backbone");
  const auto& backbone_input = p.graph->node("backbone").connections("input");
  REQUIRE(ports.name(backbone_input.at(1).id) == "view2.out");
}

TEST_CASE("Engine.validate.a_teacher_written_before_its_student_is_set_up_after_it", "[engine]") {
  const char* yaml = R"(data: {plugin: toy}
train: {optimizer: toy_sgd}
nodes:
  teacher: {ema_of: student, input: data.image, schedule: {plugin: toy_constant, momentum: 0.5}}
  mask: {plugin: toy_mask, input: data.image}
  student: {plugin: toy_tokens, input: data.image, mask: mask, dim: 5}
  objective: {plugin: toy_masked, student: student, teacher: teacher.blocks, mask: mask}
)";
  engine::ValidatedPipeline p = validate_text(yaml);
  const auto& order = p.graph->order();
  auto position = [&](const std::string& name) {
    return std::find_if(order.begin(), order.end(), [&](size_t i) { return p.graph->nodes()[i].name == name; }) -
           order.begin();
  };
  REQUIRE(position("student") < position("teacher"));
  engine::LiveNodes nodes(*p.graph);
  nodes.setup(Shape{1, 4, 4}, 7);
  const NamedTensors student = nodes.encoder("student").state_dict();
  const NamedTensors teacher = nodes.encoder("teacher").state_dict();
  REQUIRE(student.size() == teacher.size());
  for (size_t k = 0; k < student.size(); ++k) {
    REQUIRE(student[k].first == teacher[k].first);
    REQUIRE(std::equal(student[k].second.values().begin(), student[k].second.values().end(),
                       teacher[k].second.values().begin()));
  }
}

TEST_CASE("Engine.validate.unknown_train_setting", "[engine]") {
  std::string yaml = kTwoViews;
  yaml.replace(yaml.find("epochs"), 6, "epocs");
  require_error_at(yaml, 3, 9, "did you mean 'epochs'");
}

TEST_CASE("Engine.validate.name_is_one_short_printable_line", "[engine]") {
  std::string escaped = kTwoViews;
  escaped.replace(escaped.find("two-views"), 9, "\"\\e[31mred\"");
  require_error_at(escaped, 1, 7, "name holds the control character \\x1b at byte 0");
  std::string long_name = kTwoViews;
  long_name.replace(long_name.find("two-views"), 9, std::string(5'000'000, 'n'));
  try {
    validate_text(long_name);
    FAIL("a 5 MB name was accepted");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("name is 5000000 bytes long; at most 256 are allowed"));
    CHECK(std::string(e.what()).size() < 200);
  }
  std::string longest = kTwoViews;
  longest.replace(longest.find("two-views"), 9, std::string(256, 'n'));
  CHECK(validate_text(longest).name.size() == 256);
}
