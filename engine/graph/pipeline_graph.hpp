// PipelineGraph: a validated pipeline as a directed acyclic graph of nodes (Boost.Graph).
//
// Vertex 0 is the data source (ports `data.image`, `data.label`); every other vertex is a
// node of the pipeline's `nodes:` section: a transform, an encoder, a method, or a teacher
// (`ema_of:` another node, same plugin and options). An edge runs from the node that
// produces a port to each node that reads it, and from a student to its teacher. Building the graph checks that it has no
// cycle, through inputs or `ema_of:` (reported as the chain of node names, see
// node_cycle.hpp), fixes a topological order, numbers every value a step carries
// (ports()) and resolves each input reference to its number.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "config/config_value.hpp"
#include "graph/port_table.hpp"
#include "sslflow/params.hpp"
#include "sslflow/ports.hpp"
#include "sslflow/registry.hpp"

namespace sslflow::engine {

// A reference to an output port: `node`, `node.port`, `node.N` or `node.N.port`.
struct PortRef {
  std::string node;
  int application = -1;  // which input of a shared encoder; -1 when the node has one
  std::string port;      // filled in by the wiring when the pipeline leaves it out
  SourceMark mark;
  PortId id = 0;         // the value it reads, resolved by the PipelineGraph (port_table.hpp)

  std::string str() const;
};

struct NestedPlugin;

// A plugin with resolved options; nested plugin-valued options are built first.
struct PluginSpec {
  std::string kind;
  std::string name;
  const PluginInfo* info = nullptr;
  Params params;
  std::vector<NestedPlugin> nested;
  SourceMark mark;
};

// A plugin-valued option (a method's `loss:`): its name and its plugin.
struct NestedPlugin {
  std::string option;
  PluginSpec plugin;
};

struct NodeSpec {
  std::string name;
  PluginSpec plugin;
  std::string ema_of;     // for a teacher: the student node
  SourceMark ema_of_mark;
  PluginSpec schedule;    // for a teacher: its EMA scheduler
  std::vector<std::pair<std::string, std::vector<PortRef>>> inputs;  // input port -> connections
  bool frozen = false;        // no gradient, evaluation mode, not optimised
  std::string load_path;      // safetensors file whose tensors initialise the node
  std::string load_prefix;    // only the tensors named "<prefix><parameter>", prefix removed
  SourceMark mark;

  bool is_teacher() const { return !ema_of.empty(); }
  // How many times the node runs per step: for an encoder, one per connection of its
  // repeated image input; every other node runs once.
  int applications() const;
  const std::vector<PortRef>& connections(const std::string& port) const;
};

class PipelineGraph {
 public:
  // Builds the graph from wired nodes (port_wiring.hpp); throws GraphError naming the
  // nodes of a cycle.
  explicit PipelineGraph(std::vector<NodeSpec> nodes);

  const std::vector<NodeSpec>& nodes() const { return nodes_; }
  const PortTable& ports() const { return ports_; }
  // Indices into nodes(), producers before consumers.
  const std::vector<size_t>& order() const { return order_; }
  const NodeSpec& node(const std::string& name) const;
  // The graph in DOT (Boost.Graph write_graphviz), nodes labelled with their plugin.
  std::string to_dot() const;

 private:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;

  std::vector<NodeSpec> nodes_;
  PortTable ports_;
  Graph graph_;  // vertex 0: data; vertex i + 1: nodes_[i]
  std::vector<size_t> order_;
};

}  // namespace sslflow::engine
