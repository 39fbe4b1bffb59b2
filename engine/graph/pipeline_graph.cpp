#include "graph/pipeline_graph.hpp"

#include <algorithm>
#include <sstream>

#include <boost/graph/graphviz.hpp>
#include <boost/graph/topological_sort.hpp>

#include "graph/node_cycle.hpp"
#include "sslflow/error.hpp"

namespace sslflow::engine {

std::string PortRef::str() const {
  std::string s = node;
  if (application >= 0) s += "." + std::to_string(application);
  if (!port.empty()) s += "." + port;
  return s;
}

int NodeSpec::applications() const {
  if (plugin.kind != "encoder") return 1;
  int n = 1;
  for (const auto& [port, refs] : inputs)
    if (port == "input") n = std::max<int>(n, static_cast<int>(refs.size()));
  return n;
}

const std::vector<PortRef>& NodeSpec::connections(const std::string& port) const {
  static const std::vector<PortRef> none;
  for (const auto& [name, refs] : inputs)
    if (name == port) return refs;
  return none;
}

PipelineGraph::PipelineGraph(std::vector<NodeSpec> nodes) : nodes_(std::move(nodes)), graph_(nodes_.size() + 1) {
  auto vertex_of = [&](const PortRef& ref) -> size_t {
    if (ref.node == "data") return 0;
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].name == ref.node) return i + 1;
    throw GraphError("input '" + ref.str() + "' names no node");
  };
  for (size_t i = 0; i < nodes_.size(); ++i)
    for (const auto& [port, refs] : nodes_[i].inputs)
      for (const PortRef& ref : refs) {
        size_t from = vertex_of(ref);
        if (!boost::edge(from, i + 1, graph_).second) boost::add_edge(from, i + 1, graph_);
      }

  if (auto cycle = find_node_cycle(nodes_)) throw GraphError("the pipeline's nodes form a cycle: " + cycle->str());
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

std::vector<size_t> PipelineGraph::producers(size_t i) const {
  std::vector<size_t> out;
  for (auto [it, end] = boost::in_edges(i + 1, graph_); it != end; ++it)
    if (size_t v = boost::source(*it, graph_); v != 0) out.push_back(v - 1);
  return out;
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
