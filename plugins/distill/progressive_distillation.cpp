#include "progressive_distillation.hpp"

#include <algorithm>

#include "sslflow/error.hpp"
#include "sslflow/init.hpp"
#include "sslflow/ops.hpp"

namespace sslflow::distill {

namespace {

Projection parse_projection(const std::string& mode) {
  if (mode == "always") return Projection::Always;
  if (mode == "never") return Projection::Never;
  return Projection::Auto;
}

int64_t width(const Shape& block) { return block[block.rank() - 1]; }

// True when the blocks agree in every dimension but the last (the tokens of one sample).
bool same_tokens(const Shape& a, const Shape& b) {
  return a.rank() == b.rank() && std::equal(a.begin(), a.end() - 1, b.begin());
}

}  // namespace

Schema ProgressiveDistillation::schema() {
  return {
      Option::ints("layer_mapping", {0, 2, 1, 5, 2, 8, 3, 11},
                   "(student, teacher) block pairs, 0-based, written flat as [s0, t0, s1, t1, ...]; default "
                   "(0,2),(1,5),(2,8),(3,11) as entrenar's ProgressiveDistillation (Sun et al. 2019)")
          .min(0),
      Option("hidden_weight", 1.0, "weight of the hidden-state loss; 1.0 as entrenar's ProgressiveDistillation")
          .positive(),
      Option("projection", "auto",
             "student-to-teacher linear map, Xavier-uniform: auto (only when the widths differ, as entrenar), "
             "always, or never (differing widths are an error)")
          .one_of({"auto", "always", "never"}),
      Option("normalize", false,
             "L2-normalise each token's state before the MSE, as PKD's normalised loss (Sun et al. 2019); "
             "false compares raw states, as entrenar"),
  };
}

Signature ProgressiveDistillation::signature() {
  return {{{"student", PortType::Blocks, "the student encoder's block outputs, each (B, T, Ds)"},
           {"teacher", PortType::Blocks, "the frozen teacher's block outputs, each (B, T, Dt)"}},
          {}};
}

ProgressiveDistillation::ProgressiveDistillation(const Params& params)
    : who_(params.owner() + " (distill)"),
      mapping_(parse_layer_mapping(who_, params.get<std::vector<int64_t>>("layer_mapping"))),
      hidden_weight_(params.get<float>("hidden_weight")),
      projection_mode_(parse_projection(params.get<std::string>("projection"))),
      normalize_(params.get<bool>("normalize")) {}

void ProgressiveDistillation::setup(const InputShapes& shapes, const NodeSetup& context) {
  const std::vector<Shape>& student = shapes.all("student");
  const std::vector<Shape>& teacher = shapes.all("teacher");
  check_layers_exist(who_, mapping_, static_cast<int64_t>(student.size()), static_cast<int64_t>(teacher.size()));

  const LayerPair& first = mapping_.front();
  for (const LayerPair& pair : mapping_) {
    const Shape& s = student[pair.student];  // (T, Ds)
    const Shape& t = teacher[pair.teacher];  // (T, Dt)
    if (s.rank() == 0 || !same_tokens(s, t))
      throw ShapeError(who_ + ": pair " + to_string(pair) + " joins student block " + s.str() + " and teacher block " +
                       t.str() + ", which must agree in every dimension but the last (the width)");
    if (width(s) != width(student[first.student]) || width(t) != width(teacher[first.teacher]))
      throw ShapeError(who_ + ": pairs " + to_string(first) + " and " + to_string(pair) + " join blocks of widths " +
                       std::to_string(width(student[first.student])) + " -> " +
                       std::to_string(width(teacher[first.teacher])) + " and " + std::to_string(width(s)) + " -> " +
                       std::to_string(width(t)) + "; one projection serves every pair, so the widths must agree");
  }

  const int64_t student_width = width(student[first.student]);
  const int64_t teacher_width = width(teacher[first.teacher]);
  if (student_width != teacher_width && projection_mode_ == Projection::Never)
    throw ShapeError(who_ + ": the student's width " + std::to_string(student_width) + " differs from the teacher's " +
                     std::to_string(teacher_width) + " and projection is 'never'; set projection: auto");
  if (student_width != teacher_width || projection_mode_ == Projection::Always) {
    Rng rng = context.init_rng();
    projection_ = register_module("projection", std::make_shared<nn::Linear>(student_width, teacher_width, rng, false));
    init::xavier_uniform(projection_->weight.value(), rng);
  }
  student_blocks_ = student.size();
  teacher_blocks_ = teacher.size();
}

StepOutput ProgressiveDistillation::forward(const MethodInputs& inputs) {
  const std::vector<Var>& student = inputs.get("student").values;  // each (B, T, Ds)
  const std::vector<Var>& teacher = inputs.get("teacher").values;  // each (B, T, Dt)
  if (student.size() != student_blocks_ || teacher.size() != teacher_blocks_)
    throw ShapeError(who_ + ": set up for " + std::to_string(student_blocks_) + " student and " +
                     std::to_string(teacher_blocks_) + " teacher blocks, given " + std::to_string(student.size()) +
                     " and " + std::to_string(teacher.size()));
  StepOutput out;
  Var total;
  for (const LayerPair& pair : mapping_) {
    Var s = student[pair.student];
    if (projection_) s = projection_->forward(s);  // (B, T, Dt)
    Var t = teacher[pair.teacher].detach();
    if (normalize_) {
      s = l2_normalize(s);
      t = l2_normalize(t);
    }
    Var mse = mse_loss(s, t);
    out.metrics.emplace_back("mse_" + std::to_string(pair.student) + "_" + std::to_string(pair.teacher),
                             mse.value().item());
    total = total.defined() ? add(total, mse) : mse;
  }
  out.loss = mul(total, hidden_weight_ / static_cast<float>(mapping_.size()));
  return out;
}

}  // namespace sslflow::distill
