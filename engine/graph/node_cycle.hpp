// Finds a cycle among a pipeline's nodes, through any of their connections: every input
// port (inputs, mask, teacher, label, ...) and a teacher's `ema_of:` its student.
//
// An edge runs from the node that is read (or followed) to the node that reads it. A
// reference to a name that is not a node is skipped: wiring reports it. The search is an
// iterative depth-first search from each node in the order the pipeline writes them, so
// the cycle it reports is the same on every run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/pipeline_graph.hpp"

namespace sslflow::engine {

struct NodeCycle {
  std::vector<std::string> nodes;  // each feeds the next, and the last feeds the first
  SourceMark closing;              // where the first node names the last

  // "a -> b -> a (closed by a's reference to b)"
  std::string str() const;
};

std::optional<NodeCycle> find_node_cycle(const std::vector<NodeSpec>& nodes);

}  // namespace sslflow::engine
