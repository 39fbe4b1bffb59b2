#include "sslflow/autograd.hpp"

#include <mutex>
#include <unordered_set>
#include <utility>

#include "sslflow/error.hpp"
#include "kernels/elementwise_kernels.hpp"

namespace sslflow {

namespace detail {

struct VarNode {
  Tensor value;
  bool requires_grad = false;
  const char* op_name = "leaf";
  std::shared_ptr<const std::string> scope;  // the OpScope alive when the op was recorded
  std::vector<Var> inputs;
  BackwardFn backward;
  bool consumed = false;  // the tape below this node has been run and freed
  std::mutex grad_mutex;
  Tensor grad;

  // Releases a long chain of inputs iteratively: the default destructor would recurse
  // once per node and overflow the stack on deep graphs.
  ~VarNode();
};

}  // namespace detail

// Declared after detail::VarNode is complete; Var's only member is the node handle.
struct VarAccess {
  static std::shared_ptr<detail::VarNode>& node(Var& v) { return v.node_; }
};

detail::VarNode::~VarNode() {
  std::vector<Var> pending = std::move(inputs);
  while (!pending.empty()) {
    Var v = std::move(pending.back());
    pending.pop_back();
    auto& node = VarAccess::node(v);
    if (node && node.use_count() == 1)
      for (Var& in : node->inputs) pending.push_back(std::move(in));
  }
}

namespace {

thread_local int no_grad_depth = 0;
thread_local std::shared_ptr<const std::string> current_scope;

}  // namespace

OpScope::OpScope(std::string label)
    : previous_(std::exchange(current_scope, std::make_shared<const std::string>(std::move(label)))) {}
OpScope::~OpScope() { current_scope = std::move(previous_); }

bool grad_enabled() { return no_grad_depth == 0; }
NoGrad::NoGrad() { ++no_grad_depth; }
NoGrad::~NoGrad() { --no_grad_depth; }

Var::Var(Tensor value, bool requires_grad) : node_(std::make_shared<detail::VarNode>()) {
  if (!value.defined()) throw Error("Var: cannot wrap an undefined tensor");
  node_->value = std::move(value);
  node_->requires_grad = requires_grad;
}

Var Var::from_op(const char* op_name, Tensor value, std::vector<Var> inputs, BackwardFn backward) {
  Var out(std::move(value));
  if (!grad_enabled()) return out;
  bool any = false;
  for (const Var& in : inputs) any = any || (in.defined() && in.requires_grad());
  if (!any) return out;
  out.node_->requires_grad = true;
  out.node_->op_name = op_name;
  out.node_->scope = current_scope;
  out.node_->inputs = std::move(inputs);
  out.node_->backward = std::move(backward);
  return out;
}

static detail::VarNode& checked(const std::shared_ptr<detail::VarNode>& node) {
  if (!node) throw Error("use of an undefined Var");
  return *node;
}

const Tensor& Var::value() const { return checked(node_).value; }
Tensor& Var::value() { return checked(node_).value; }
bool Var::requires_grad() const { return checked(node_).requires_grad; }
bool Var::is_leaf() const { return !checked(node_).backward; }
const char* Var::op_name() const { return checked(node_).op_name; }

void Var::set_requires_grad(bool on) {
  if (!is_leaf()) throw Error(std::string("set_requires_grad: only leaves can change it, not the output of ") +
                              op_name());
  node_->requires_grad = on;
}

Tensor Var::grad() const {
  auto& n = checked(node_);
  std::lock_guard lock(n.grad_mutex);
  return n.grad;
}

void Var::zero_grad() const {
  auto& n = checked(node_);
  std::lock_guard lock(n.grad_mutex);
  n.grad = Tensor();
}

void Var::accumulate_grad(const Tensor& g) const {
  auto& n = checked(node_);
  expect_shape("accumulate_grad", g.shape(), n.value.shape());
  std::lock_guard lock(n.grad_mutex);
  if (!n.grad.defined())
    n.grad = g.clone();
  else
    kernels::add_inplace(n.grad.data(), g.data(), g.numel());
}

void Var::accumulate_grad(Tensor&& g) const {
  auto& n = checked(node_);
  expect_shape("accumulate_grad", g.shape(), n.value.shape());
  std::lock_guard lock(n.grad_mutex);
  if (!n.grad.defined())
    n.grad = g.unique() ? std::move(g) : g.clone();
  else
    kernels::add_inplace(n.grad.data(), g.data(), g.numel());
}

Var Var::detach() const { return Var(value(), false); }

namespace {

// Throws NonFiniteGradient when the gradient that `node`'s backward left in one of its
// inputs is not finite. Gradients reaching `node` were scanned when they were made, so
// this backward is the first to make a non-finite one.
void expect_finite_input_grads(const detail::VarNode& node) {
  for (size_t k = 0; k < node.inputs.size(); ++k) {
    const Var& input = node.inputs[k];
    if (!input.defined() || !input.requires_grad()) continue;
    const Tensor grad = input.grad();
    if (!grad.defined()) continue;
    if (const std::string found = first_nonfinite(grad); !found.empty())
      throw NonFiniteGradient(std::string("the backward of op '") + node.op_name + "'" +
                              (node.scope ? " in " + *node.scope : std::string(" outside any op scope")) +
                              " made a non-finite gradient for its input " + std::to_string(k) + " of shape " +
                              input.shape().str() + " (" + found + ") from a finite gradient of its output");
  }
}

}  // namespace

void Var::backward(BackwardOptions options) const {
  if (value().numel() != 1)
    throw ShapeError("backward(): the output has shape " + shape().str() +
                     "; pass a gradient of that shape, or reduce it to one element first");
  backward(Tensor::full(shape(), 1.0f), options);
}

void Var::backward(const Tensor& grad_output, BackwardOptions options) const {
  auto& root = checked(node_);
  if (options.stop_at_nonfinite)
    if (const std::string found = first_nonfinite(grad_output); !found.empty())
      throw NonFiniteGradient("backward(): the gradient given for the output is not finite (" + found + ")");
  if (!root.requires_grad)
    throw Error("backward(): the output does not require a gradient (no parameter reaches it, or it was "
                "computed under NoGrad)");
  if (root.consumed) throw Error("backward(): this graph has already been differentiated once");

  // Iterative post-order depth-first search: every node comes after all of its inputs.
  std::vector<std::shared_ptr<detail::VarNode>> order;  // owned, so freeing the tape cannot cascade
  std::unordered_set<detail::VarNode*> seen;
  std::vector<std::pair<std::shared_ptr<detail::VarNode>, size_t>> stack{{node_, 0}};
  seen.insert(node_.get());
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      const auto& child = node->inputs[next++].node_;
      if (child && child->requires_grad && child->backward && !seen.count(child.get())) {
        seen.insert(child.get());
        stack.emplace_back(child, 0);
      }
      continue;
    }
    order.push_back(node);
    stack.pop_back();
  }

  // An output that is not a leaf hands its gradient to its own backward, which only reads
  // it: the caller's tensor is taken as it is rather than copied.
  if (root.backward && !grad().defined()) {
    expect_shape("backward", grad_output.shape(), root.value.shape());
    std::lock_guard lock(root.grad_mutex);
    root.grad = grad_output;
  } else {
    accumulate_grad(grad_output);
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    detail::VarNode* node = it->get();
    if (!node->backward) continue;  // a leaf output: its gradient stays
    Tensor grad;
    {
      std::lock_guard lock(node->grad_mutex);
      grad = std::move(node->grad);
      node->grad = Tensor();
    }
    if (grad.defined()) {
      node->backward(node->inputs, grad);
      if (options.stop_at_nonfinite) expect_finite_input_grads(*node);
    }
    node->inputs.clear();
    node->backward = nullptr;
    node->consumed = true;
  }
}

}  // namespace sslflow
