// Reads a node's input connections from its pipeline entry and checks them.
//
// A node's inputs are the input ports its plugin declares. A repeated image input named
// `input` is written `input: REF` or `inputs: [REF, ...]`; any other port by its name.
// A reference is `node`, `node.port`, `node.N` or `node.N.port`; `data.image` and
// `data.label` are the dataset's. Without a port, the producer's first output of the
// type the consumer expects is taken. A repeated port that declares a count takes exactly
// that many connections.
#pragma once

#include <string>
#include <vector>

#include "config/config_value.hpp"
#include "graph/pipeline_graph.hpp"

namespace sslflow::engine {

// The config keys a signature's inputs occupy (never plugin options).
std::vector<std::string> port_keys(const Signature& signature);

// Parses the connections of `entry` (a node's map) for every input port of `signature`.
std::vector<std::pair<std::string, std::vector<PortRef>>> read_connections(const std::string& node,
                                                                           const ConfigValue& entry,
                                                                           const Signature& signature);

// Checks every reference against its producer: the node exists, the port exists, the
// application index fits, and the types match; fills in omitted ports.
void wire_ports(std::vector<NodeSpec>& nodes);

}  // namespace sslflow::engine
