#include "graph/port_table.hpp"

#include <algorithm>

#include "graph/pipeline_graph.hpp"
#include "sslflow/error.hpp"

namespace sslflow::engine {

const std::vector<PortSpec>& data_source_outputs() {
  static const std::vector<PortSpec> ports{{kDataImage, PortType::Image, "the images"},
                                           {kDataLabel, PortType::Labels, "the class labels"}};
  return ports;
}

PortTable::PortTable(const std::vector<NodeSpec>& nodes) {
  for (const PortSpec& port : data_source_outputs())
    ports_.push_back({kDataSource, 0, std::string(kDataNode) + "." + port.name, port});
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeSpec& node = nodes[i];
    node_names_.push_back(node.name);
    auto& applications = outputs_.emplace_back(static_cast<size_t>(node.applications()));
    for (int a = 0; a < node.applications(); ++a)
      for (const PortSpec& port : node.plugin.info->signature.outputs) {
        const std::string application = node.applications() > 1 ? std::to_string(a) + "." : "";
        applications[a].push_back(ports_.size());
        ports_.push_back({i, a, node.name + "." + application + port.name, port});
      }
  }
}

const std::vector<PortId>& PortTable::outputs(size_t node, int application) const {
  return outputs_.at(node).at(static_cast<size_t>(application));
}

std::optional<PortId> PortTable::find_output(size_t node, int application, const std::string& port) const {
  for (PortId id : outputs(node, application))
    if (ports_[id].spec.name == port) return id;
  return std::nullopt;
}

PortId PortTable::resolve(const PortRef& ref) const {
  if (ref.node == kDataNode) return ref.port == kDataLabel ? kLabel : kImage;
  const auto named = std::find(node_names_.begin(), node_names_.end(), ref.node);
  if (named == node_names_.end()) throw GraphError("input '" + ref.str() + "' names no node");
  const size_t node = static_cast<size_t>(named - node_names_.begin());
  const int application = std::max(ref.application, 0);
  const std::vector<PortId>& ports = outputs(node, application);
  if (ports.empty()) throw GraphError("input '" + ref.str() + "' reads a node without outputs");
  if (ref.port.empty()) return ports.front();
  if (const std::optional<PortId> id = find_output(node, application, ref.port)) return *id;
  throw GraphError("node '" + ref.node + "' has no output '" + ref.port + "'");
}

}  // namespace sslflow::engine
