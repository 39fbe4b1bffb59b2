#include "graph/validate.hpp"

#include <algorithm>
#include <memory>

#include "graph/node_cycle.hpp"
#include "graph/plugin_resolution.hpp"
#include "graph/port_wiring.hpp"
#include "graph/resolved_config.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/dataset.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"
#include "sslflow/interfaces/encoder.hpp"
#include "sslflow/interfaces/evaluator.hpp"
#include "sslflow/interfaces/method.hpp"
#include "sslflow/interfaces/optimizer.hpp"
#include "sslflow/interfaces/transform.hpp"

namespace sslflow::engine {

Schema train_schema() {
  return {
      Option("epochs", 10, "passes over the training split").range(1, 100000),
      Option("batch_size", 256, "samples per step (SimSiam's CIFAR recipe uses 512; 256 fits 2 cores)").range(1, 1 << 20),
      Option::plugin("optimizer", Optimizer::kKind, "sgd", "the optimizer, {plugin: NAME, options...}"),
      Option("lr_schedule", "cosine", "learning-rate decay after warm-up (SimSiam: cosine)").one_of({"cosine", "constant"}),
      Option("warmup_epochs", 0.0, "linear warm-up from 0, in epochs (fractions allowed)").range(0.0, 100000),
      Option("final_lr_fraction", 0.0, "cosine decays to this fraction of the base rate").range(0.0, 1.0),
      Option("clip_grad_norm", 0.0, "clip the global gradient L2 norm to this; 0 disables").min(0.0),
      Option("max_steps", 0, "stop after this many steps (smoke runs); 0 runs every epoch").min(0),
      Option("log_every_steps", 20, "write a metrics row every this many steps").range(1, 1 << 30),
      Option("checkpoint_every_steps", 0, "write a checkpoint every this many steps; 0: not by steps").min(0),
      Option("checkpoint_every_epochs", 1, "write a checkpoint after every this many epochs; 0: not by epochs").min(0),
      Option("keep_checkpoints", 2, "how many of the newest complete checkpoints to keep").range(1, 1000),
  };
}

Schema node_schema() {
  return {
      Option("frozen", false, "train nothing in this node and run it in evaluation mode"),
      Option::map("load", "weights to load before training: {path: FILE.safetensors, prefix: NAME.}, the prefix "
                          "stripped from the file's tensor names (an encoder's weights from a finished run, say)"),
  };
}

Schema eval_schema() {
  return {
      Option("node", "", "the encoder node to evaluate; empty: the first encoder that is not a teacher"),
      Option("every_epochs", 0, "evaluate after every this many epochs; 0: only at the end").min(0),
      Option("at_end", true, "evaluate after the last step"),
      Option("baselines", false, "also evaluate raw pixels and the untrained encoder, before training"),
      Option("max_train_samples", 0, "use only the first N training samples; 0: all").min(0),
      Option("max_test_samples", 0, "use only the first N test samples; 0: all").min(0),
  };
}

namespace {

const std::vector<std::string> kNodeKinds{Transform::kKind, Encoder::kKind, Method::kKind};

std::vector<std::string> names_of(const Schema& schema) {
  std::vector<std::string> names;
  for (const Option& o : schema) names.push_back(o.name());
  return names;
}

// The engine's own keys of a plugin node: `frozen: true` and `load: {path, prefix}`.
const std::vector<std::string> kNodeKeys{"plugin", "frozen", "load"};

void read_node_keys(NodeSpec& node, const ConfigValue& body) {
  const std::string owner = "node '" + node.name + "'";
  if (const ConfigValue* frozen = body.find("frozen")) node.frozen = frozen->as_bool(owner + " frozen");
  const ConfigValue* load = body.find("load");
  if (!load) return;
  for (const ConfigEntry& e : load->as_map(owner + " load"))
    if (e.key != "path" && e.key != "prefix")
      throw config_error(e.key_mark, owner + " load: unknown key '" + e.key + "'; it takes path and prefix");
  const ConfigValue* path = load->find("path");
  if (!path) throw config_error(load->mark(), owner + " load: needs path: FILE.safetensors");
  node.load_path = path->as_string(owner + " load.path");
  if (const ConfigValue* prefix = load->find("prefix")) node.load_prefix = prefix->as_string(owner + " load.prefix");
}

NodeSpec read_node(const ConfigEntry& entry, const Registry& registry) {
  NodeSpec node;
  node.name = entry.key;
  node.mark = entry.key_mark;
  const ConfigValue& body = entry.value;
  const std::string owner = "node '" + entry.key + "'";
  if (const ConfigValue* student = body.find("ema_of")) {
    node.ema_of = student->as_string(owner + " ema_of");
    node.ema_of_mark = student->mark();
    return node;  // the rest is read once the student is known (read_teacher)
  }
  const ConfigValue* plugin = body.find("plugin");
  if (!plugin) throw config_error(body.mark(), owner + " needs 'plugin:' or 'ema_of:'");
  const PluginInfo* info = nullptr;
  for (const std::string& kind : kNodeKinds)
    if (!info) info = registry.find(kind, plugin->as_string(owner + " plugin"));
  std::vector<std::string> reserved = kNodeKeys;
  if (info)
    for (std::string& key : port_keys(info->signature)) reserved.push_back(std::move(key));
  node.plugin = resolve_plugin(kNodeKinds, body, registry, owner, reserved);
  node.inputs = read_connections(node.name, body, node.plugin.info->signature);
  read_node_keys(node, body);
  if ((node.frozen || !node.load_path.empty()) && node.plugin.kind == Transform::kKind)
    throw config_error(entry.key_mark, owner + ": a transform has no weights to freeze or load");
  return node;
}

// A teacher's keys: its student's input ports, `ema_of` and `schedule`, its EMA scheduler.
void read_teacher(NodeSpec& teacher, const ConfigValue& body, const std::vector<NodeSpec>& nodes,
                  const Registry& registry) {
  const std::string owner = "teacher node '" + teacher.name + "'";
  std::vector<std::string> names;
  const NodeSpec* student = nullptr;
  for (const NodeSpec& n : nodes) {
    names.push_back(n.name);
    if (n.name == teacher.ema_of) student = &n;
  }
  const ConfigValue& at = *body.find("ema_of");
  if (!student)
    throw config_error(at.mark(), "node '" + teacher.name + "' follows '" + teacher.ema_of + "', which is not a node" +
                                      did_you_mean(teacher.ema_of, names));
  if (student->is_teacher() || student->plugin.kind != Encoder::kKind)
    throw config_error(at.mark(), "node '" + teacher.name + "' follows '" + teacher.ema_of +
                                      "'; a teacher must follow an encoder node");
  std::vector<std::string> allowed{"ema_of", "schedule"};
  for (std::string& key : port_keys(student->plugin.info->signature)) allowed.push_back(std::move(key));
  for (const ConfigEntry& e : body.as_map(owner))
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end())
      throw config_error(e.key_mark, owner + " takes no key '" + e.key + "'" + did_you_mean(e.key, allowed) +
                                         " (a teacher copies its student's options; it takes " + comma_list(allowed) + ")");
  const ConfigValue* schedule = body.find("schedule");
  if (!schedule)
    throw config_error(body.mark(), owner + " needs a schedule: {plugin: NAME, ...}, the EMA momentum scheduler");
  teacher.schedule = resolve_plugin({EmaScheduler::kKind}, *schedule, registry, owner + " schedule");
  teacher.plugin = student->plugin;
  teacher.plugin.mark = teacher.mark;
  teacher.inputs = read_connections(teacher.name, body, teacher.plugin.info->signature);
}

void refuse_cycles(const std::vector<NodeSpec>& nodes) {
  if (auto cycle = find_node_cycle(nodes))
    throw config_error(cycle->closing, "the pipeline's nodes form a cycle: " + cycle->str());
}

TrainSpec read_train(const ConfigValue* train, const Registry& registry, const SourceMark& root_mark) {
  ConfigValue empty(ConfigValue::Map{}, root_mark);
  std::vector<NestedPlugin> nested;
  Params p = resolve_options(train_schema(), train ? *train : empty, registry, "train", {}, &nested);
  TrainSpec t;
  t.epochs = p.get<int64_t>("epochs");
  t.batch_size = p.get<int64_t>("batch_size");
  const ConfigValue* batch_size = train ? train->find("batch_size") : nullptr;
  t.batch_size_mark = batch_size ? batch_size->mark() : train ? train->mark() : root_mark;
  t.lr_schedule = p.get<std::string>("lr_schedule");
  t.warmup_epochs = p.get<double>("warmup_epochs");
  t.final_lr_fraction = p.get<double>("final_lr_fraction");
  t.clip_grad_norm = p.get<double>("clip_grad_norm");
  t.max_steps = p.get<int64_t>("max_steps");
  t.log_every_steps = p.get<int64_t>("log_every_steps");
  t.checkpoint_every_steps = p.get<int64_t>("checkpoint_every_steps");
  t.checkpoint_every_epochs = p.get<int64_t>("checkpoint_every_epochs");
  t.keep_checkpoints = p.get<int64_t>("keep_checkpoints");
  t.options = p.values();
  for (auto& [name, spec] : nested)
    if (name == "optimizer") t.optimizer = std::move(spec);
  return t;
}

std::vector<EvalSpec> read_evals(const ConfigValue* evals, const Registry& registry, const std::vector<NodeSpec>& nodes) {
  std::vector<EvalSpec> out;
  if (!evals) return out;
  std::string default_node;
  std::vector<std::string> encoders;
  for (const NodeSpec& n : nodes)
    if (n.plugin.kind == Encoder::kKind) {
      if (default_node.empty() && !n.is_teacher()) default_node = n.name;
      encoders.push_back(n.name);
    }
  const Schema schema = eval_schema();
  size_t index = 0;
  for (const ConfigValue& entry : evals->as_list("eval")) {
    const std::string owner = "eval " + std::to_string(index++);
    EvalSpec e;
    e.evaluator = resolve_plugin({Evaluator::kKind}, entry, registry, owner, names_of(schema));
    ConfigValue engine_keys(ConfigValue::Map{}, entry.mark());
    for (const ConfigEntry& kv : entry.as_map(owner))
      if (find_option(schema, kv.key)) engine_keys.set(kv.key, kv.key_mark, kv.value);
    std::vector<NestedPlugin> none;
    Params p = resolve_options(schema, engine_keys, registry, owner, {}, &none);
    e.node = p.get<std::string>("node").empty() ? default_node : p.get<std::string>("node");
    if (std::find(encoders.begin(), encoders.end(), e.node) == encoders.end())
      throw config_error(entry.mark(), owner + ": '" + (e.node.empty() ? std::string("(none)") : e.node) +
                                           "' is not an encoder node to evaluate" + did_you_mean(e.node, encoders));
    e.every_epochs = p.get<int64_t>("every_epochs");
    e.at_end = p.get<bool>("at_end");
    e.baselines = p.get<bool>("baselines");
    e.max_train_samples = p.get<int64_t>("max_train_samples");
    e.max_test_samples = p.get<int64_t>("max_test_samples");
    e.options = p.values();
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

ValidatedPipeline validate(const PipelineConfig& config, const Registry& registry) {
  const ConfigValue& root = config.root();
  ValidatedPipeline p;
  p.name = config.name();
  p.file = config.file();
  if (const ConfigValue* seed = root.find("seed")) p.seed = static_cast<uint64_t>(seed->as_int("seed"));
  p.data = resolve_plugin({Dataset::kKind}, *root.find("data"), registry, "data");
  p.train = read_train(root.find("train"), registry, root.mark());

  std::vector<NodeSpec> nodes;
  const ConfigValue& node_map = *root.find("nodes");
  for (const ConfigEntry& entry : node_map.as_map("nodes")) nodes.push_back(read_node(entry, registry));
  refuse_cycles(nodes);  // through ema_of: alone, before a teacher takes its student's plugin
  for (const ConfigEntry& entry : node_map.as_map("nodes"))
    for (NodeSpec& n : nodes)
      if (n.name == entry.key && n.is_teacher()) read_teacher(n, entry.value, nodes, registry);
  refuse_cycles(nodes);
  if (std::none_of(nodes.begin(), nodes.end(), [](const NodeSpec& n) { return n.plugin.kind == Method::kKind; }))
    throw config_error(node_map.mark(), "the pipeline has no method node, so nothing produces a loss to train");
  wire_ports(nodes);
  p.evals = read_evals(root.find("eval"), registry, nodes);
  try {
    p.graph = std::make_shared<const PipelineGraph>(std::move(nodes));
  } catch (const GraphError& e) {
    throw config_error(node_map.mark(), e.what());
  }
  p.resolved_yaml = resolved_config_yaml(config, p);
  return p;
}

}  // namespace sslflow::engine
