#include "graph/pipeline_graph.hpp"

#include <algorithm>
#include <sstream>

#include <boost/graph/graphviz.hpp>
#include <boost/graph/topological_sort.hpp>

#include "graph/node_cycle.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/encoder.hpp"

namespace sslflow::engine {

std::string PortRef::str() const {
  std::string s = node;
  if (application >= 0) s += "." + std::to_string(application);
  if (!port.empty()) s += "." + port;
  return s;
}

int NodeSpec::applications() const {
  if (plugin.kind != Encoder::kKind) return 1;
  return std::max<int>(1, static_cast<int>(connections(Encoder::kInput).size()));
}

const std::vector<PortRef>& NodeSpec::connections(const std::string& port) const {
  static const std::vector<PortRef> none;
  for (const auto& [name, refs] : inputs)
    if (name == port) return refs;
  return none;
}

PipelineGraph::PipelineGraph(std::vector<NodeSpec> nodes) : nodes_(std::move(nodes)), graph_(nodes_.size() + 1) {
  auto vertex_of = [&](const std::string& name) -> size_t {
    if (name == kDataNode) return 0;
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].name == name) return i + 1;
    throw GraphError("'" + name + "' names no node");
  };
  auto add_edge = [&](size_t from, size_t to) {
    if (!boost::edge(from, to, graph_).second) boost::add_edge(from, to, graph_);
  };
  for (size_t i = 0; i < nodes_.size(); ++i) {
    for (const auto& [port, refs] : nodes_[i].inputs)
      for (const PortRef& ref : refs) add_edge(vertex_of(ref.node), i + 1);
    if (nodes_[i].is_teacher()) add_edge(vertex_of(nodes_[i].ema_of), i + 1);
  }

  if (auto cycle = find_node_cycle(nodes_)) throw GraphError("the pipeline's nodes form a cycle: " + cycle->str());
  ports_ = PortTable(nodes_);
  for (NodeSpec& node : nodes_)
    for (auto& [port, refs] : node.inputs)
      for (PortRef& ref : refs) ref.id = ports_.resolve(ref);
  std::vector<size_t> reversed;
  boost::topological_sort(graph_, std::back_inserter(reversed));
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it)
    if (*it != 0) order_.push_back(*it - 1);
}

const NodeSpec& PipelineGraph::node(const std::string& name) const {
  for (const NodeSpec& n : nodes_)
    if (n.name == name) return n;
  throw GraphError("no node named '" + name + "'");
}

std::string PipelineGraph::to_dot() const {
  std::vector<std::string> labels{"data"};
  for (const NodeSpec& n : nodes_)
    labels.push_back(n.name + "\\n" + (n.is_teacher() ? "ema_of " + n.ema_of : n.plugin.kind + "/" + n.plugin.name));
  std::ostringstream os;
  boost::write_graphviz(os, graph_, [&](std::ostream& out, size_t v) {
    out << "[label=\"" << labels[v] << "\"" << (v == 0 ? ", shape=cylinder" : ", shape=box") << "]";
  });
  return os.str();
}

}  // namespace sslflow::engine
