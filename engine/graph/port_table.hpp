// PortTable: a dense id for every value a training step carries. Ids 0 and 1 are the data
// source's images and labels; then, node by node in the pipeline's order, every output port
// of every application of the node, in the order of its plugin's signature. The table is
// built with the PipelineGraph, which resolves each input reference to its id then, once:
// a step holds its values in a vector indexed by id (StepValues).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sslflow/ports.hpp"

namespace sslflow::engine {

struct NodeSpec;
struct PortRef;

using PortId = size_t;

// The data source's output ports, as a pipeline names them (`data.image`, `data.label`).
inline constexpr const char* kDataNode = "data";
inline constexpr const char* kDataImage = "image";
inline constexpr const char* kDataLabel = "label";
// Their specs: the images (Image), then the labels (Labels).
const std::vector<PortSpec>& data_source_outputs();

class PortTable {
 public:
  static constexpr PortId kImage = 0;
  static constexpr PortId kLabel = 1;
  // The producer of the data source's ports.
  static constexpr size_t kDataSource = static_cast<size_t>(-1);

  PortTable() = default;
  explicit PortTable(const std::vector<NodeSpec>& nodes);

  size_t size() const { return ports_.size(); }
  // The outputs of application `application` (0 for a node that runs once) of node
  // `node` (an index into the graph's nodes), in the order of its signature.
  const std::vector<PortId>& outputs(size_t node, int application) const;
  // Output `port` of that application; nullopt when the node has no such output.
  std::optional<PortId> find_output(size_t node, int application, const std::string& port) const;
  // The value a (wired) reference reads; GraphError when it names nothing.
  PortId resolve(const PortRef& ref) const;
  // The node that produces `id` (kDataSource for the data source's ports) and its application.
  size_t producer(PortId id) const { return ports_.at(id).node; }
  int application(PortId id) const { return ports_.at(id).application; }
  // "data.image", "backbone.out", "backbone.1.tokens": the port as a pipeline names it.
  const std::string& name(PortId id) const { return ports_.at(id).name; }
  const PortSpec& spec(PortId id) const { return ports_.at(id).spec; }

 private:
  struct Port {
    size_t node;
    int application;
    std::string name;
    PortSpec spec;
  };

  std::vector<Port> ports_;
  std::vector<std::string> node_names_;
  std::vector<std::vector<std::vector<PortId>>> outputs_;  // [node][application]
};

}  // namespace sslflow::engine
