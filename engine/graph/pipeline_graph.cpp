#include "graph/pipeline_graph.hpp"

#include <algorithm>
#include <sstream>

#include <boost/graph/graphviz.hpp>
#include <boost/graph/topological_sort.hpp>

#include "config/config_value.hpp"
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

namespace {

// Finds a cycle by iterative depth-first search; returns its vertices in order, or empty.
template <class Graph>
std::vector<size_t> find_cycle(const Graph& g) {
  enum class Color { White, Grey, Black };
  const size_t n = boost::num_vertices(g);
  std::vector<Color> color(n, Color::White);
  for (size_t root = 0; root < n; ++root) {
    if (color[root] != Color::White) continue;
    std::vector<std::pair<size_t, typename boost::graph_traits<Graph>::out_edge_iterator>> stack;
    color[root] = Color::Grey;
    stack.emplace_back(root, boost::out_edges(root, g).first);
    while (!stack.empty()) {
      auto& [v, it] = stack.back();
      if (it == boost::out_edges(v, g).second) {
        color[v] = Color::Black;
        stack.pop_back();
        continue;
      }
      size_t w = boost::target(*it++, g);
      if (color[w] == Color::Grey) {
        std::vector<size_t> cycle;
        auto start = std::find_if(stack.begin(), stack.end(), [&](const auto& e) { return e.first == w; });
        for (auto s = start; s != stack.end(); ++s) cycle.push_back(s->first);
        return cycle;
      }
      if (color[w] == Color::White) {
        color[w] = Color::Grey;
        stack.emplace_back(w, boost::out_edges(w, g).first);
      }
    }
  }
  return {};
}

}  // namespace

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

  if (auto cycle = find_cycle(graph_); !cycle.empty()) {
    std::string chain;
    for (size_t v : cycle) chain += nodes_[v - 1].name + " -> ";
    chain += nodes_[cycle.front() - 1].name;
    const NodeSpec& closing_reader = nodes_[cycle.front() - 1];
    const std::string& closing_writer = nodes_[cycle.back() - 1].name;
    for (const auto& [port, refs] : closing_reader.inputs)
      for (const PortRef& ref : refs)
        if (ref.node == closing_writer) throw config_error(ref.mark, "the pipeline's nodes form a cycle: " + chain);
    throw GraphError("the pipeline's nodes form a cycle: " + chain);
  }
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
