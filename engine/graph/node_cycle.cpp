#include "graph/node_cycle.hpp"

#include <algorithm>

namespace sslflow::engine {

namespace {

struct Edge {
  size_t to;
  SourceMark mark;  // the reference in node `to` that makes the edge
};

std::vector<std::vector<Edge>> node_edges(const std::vector<NodeSpec>& nodes) {
  auto index_of = [&](const std::string& name) {
    auto it = std::find_if(nodes.begin(), nodes.end(), [&](const NodeSpec& n) { return n.name == name; });
    return static_cast<size_t>(it - nodes.begin());
  };
  std::vector<std::vector<Edge>> out(nodes.size());
  auto add = [&](const std::string& from, size_t to, const SourceMark& mark) {
    if (size_t i = index_of(from); i < nodes.size()) out[i].push_back({to, mark});
  };
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].is_teacher()) add(nodes[i].ema_of, i, nodes[i].ema_of_mark);
    for (const auto& [port, refs] : nodes[i].inputs)
      for (const PortRef& ref : refs) add(ref.node, i, ref.mark);
  }
  return out;
}

}  // namespace

std::string NodeCycle::str() const {
  std::string chain;
  for (const std::string& n : nodes) chain += n + " -> ";
  return chain + nodes.front() + " (closed where '" + nodes.front() + "' names '" + nodes.back() + "')";
}

std::optional<NodeCycle> find_node_cycle(const std::vector<NodeSpec>& nodes) {
  enum class Color { White, Grey, Black };
  const auto edges = node_edges(nodes);
  std::vector<Color> color(nodes.size(), Color::White);
  for (size_t root = 0; root < nodes.size(); ++root) {
    if (color[root] != Color::White) continue;
    std::vector<std::pair<size_t, size_t>> stack{{root, 0}};  // (node, next edge)
    color[root] = Color::Grey;
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      if (next == edges[v].size()) {
        color[v] = Color::Black;
        stack.pop_back();
        continue;
      }
      const Edge& e = edges[v][next++];
      if (color[e.to] == Color::Grey) {
        NodeCycle cycle;
        auto start = std::find_if(stack.begin(), stack.end(), [&](const auto& s) { return s.first == e.to; });
        for (auto s = start; s != stack.end(); ++s) cycle.nodes.push_back(nodes[s->first].name);
        cycle.closing = e.mark;
        return cycle;
      }
      if (color[e.to] == Color::White) {
        color[e.to] = Color::Grey;
        stack.emplace_back(e.to, 0);
      }
    }
  }
  return std::nullopt;
}

}  // namespace sslflow::engine
