#include "graph/port_wiring.hpp"

#include <algorithm>
#include <cctype>

#include "sslflow/error.hpp"

namespace sslflow::engine {

namespace {

bool is_index(const std::string& s) {
  return !s.empty() && s.size() < 6 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

PortRef parse_ref(const std::string& node, const ConfigValue& value) {
  const std::string& text = value.as_string("an input of node '" + node + "'");
  PortRef ref;
  ref.mark = value.mark();
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot; (dot = text.find('.', start)) != std::string::npos; start = dot + 1)
    parts.push_back(text.substr(start, dot - start));
  parts.push_back(text.substr(start));
  // node, node.port, node.N, node.N.port
  const bool ok = parts.size() <= 3 && is_identifier(parts.front()) &&
                  (parts.size() < 2 || is_index(parts[1]) || (parts.size() == 2 && is_identifier(parts[1]))) &&
                  (parts.size() < 3 || (is_index(parts[1]) && is_identifier(parts[2])));
  if (!ok)
    throw config_error(value.mark(), "node '" + node + "': '" + text +
                                         "' is not a reference; write node, node.port, node.N or node.N.port");
  ref.node = parts[0];
  if (parts.size() >= 2 && is_index(parts[1]))
    ref.application = std::stoi(parts[1]);
  else if (parts.size() == 2)
    ref.port = parts[1];
  if (parts.size() == 3) ref.port = parts[2];
  return ref;
}

const PortSpec* find_port(const std::vector<PortSpec>& ports, const std::string& name) {
  for (const PortSpec& p : ports)
    if (p.name == name) return &p;
  return nullptr;
}

std::string port_names(const std::vector<PortSpec>& ports) {
  std::string s;
  for (const PortSpec& p : ports) s += (s.empty() ? "" : ", ") + p.name + " (" + to_string(p.type) + ")";
  return s;
}

}  // namespace

std::vector<std::string> port_keys(const Signature& signature) {
  std::vector<std::string> keys;
  for (const PortSpec& p : signature.inputs) {
    keys.push_back(p.name);
    if (p.repeated) keys.push_back(p.name + "s");
  }
  return keys;
}

std::vector<std::pair<std::string, std::vector<PortRef>>> read_connections(const std::string& node,
                                                                           const ConfigValue& entry,
                                                                           const Signature& signature) {
  std::vector<std::pair<std::string, std::vector<PortRef>>> out;
  for (const PortSpec& port : signature.inputs) {
    const ConfigValue* single = entry.find(port.name);
    const ConfigValue* list = port.repeated ? entry.find(port.name + "s") : nullptr;
    if (single && list)
      throw config_error(list->mark(), "node '" + node + "': write either '" + port.name + "' or '" + port.name +
                                           "s', not both");
    std::vector<PortRef> refs;
    const ConfigValue* written = list ? list : single;
    if (list) {
      for (const ConfigValue& v : list->as_list("node '" + node + "' " + port.name + "s")) refs.push_back(parse_ref(node, v));
    } else if (single && single->is_list()) {
      if (!port.repeated)
        throw config_error(single->mark(), "node '" + node + "': input '" + port.name + "' takes one reference");
      for (const ConfigValue& v : single->as_list(port.name)) refs.push_back(parse_ref(node, v));
    } else if (single) {
      refs.push_back(parse_ref(node, *single));
    }
    if (refs.empty() && !port.optional)
      throw config_error(entry.mark(), "node '" + node + "' needs input '" + port.name + "' (" + to_string(port.type) +
                                           ": " + port.doc + ")");
    if (port.count > 0 && !refs.empty() && refs.size() != static_cast<size_t>(port.count))
      throw config_error(written->mark(), "node '" + node + "': input '" + port.name + "' takes exactly " +
                                              std::to_string(port.count) + " connections (" + port.doc + "), got " +
                                              std::to_string(refs.size()));
    if (port.min_count > 0 && !refs.empty() && refs.size() < static_cast<size_t>(port.min_count))
      throw config_error(written->mark(), "node '" + node + "': input '" + port.name + "' takes at least " +
                                              std::to_string(port.min_count) + " connections (" + port.doc + "), got " +
                                              std::to_string(refs.size()));
    if (!refs.empty()) out.emplace_back(port.name, std::move(refs));
  }
  return out;
}

void wire_ports(std::vector<NodeSpec>& nodes) {
  std::vector<std::string> names{kDataNode};
  for (const NodeSpec& n : nodes) names.push_back(n.name);
  for (NodeSpec& node : nodes) {
    const Signature& own = node.plugin.info->signature;
    for (auto& [port_name, refs] : node.inputs) {
      const PortType expected = find_port(own.inputs, port_name)->type;
      for (PortRef& ref : refs) {
        const std::vector<PortSpec>* outputs = &data_source_outputs();
        int applications = 1;
        std::string producer_kind = "dataset";
        if (ref.node != kDataNode) {
          auto producer = std::find_if(nodes.begin(), nodes.end(), [&](const NodeSpec& n) { return n.name == ref.node; });
          if (producer == nodes.end())
            throw config_error(ref.mark, "node '" + node.name + "': input '" + ref.str() + "' names no node" +
                                             did_you_mean(ref.node, names));
          outputs = &producer->plugin.info->signature.outputs;
          producer_kind = producer->plugin.kind;
          applications = producer->applications();
        }
        if (outputs->empty())
          throw config_error(ref.mark, "node '" + node.name + "': input '" + port_name + "' reads '" + ref.node +
                                           "', which has no outputs (a " + producer_kind +
                                           " node); name a node that produces " + to_string(expected));
        if (ref.port.empty()) {
          auto match = std::find_if(outputs->begin(), outputs->end(), [&](const PortSpec& p) { return p.type == expected; });
          ref.port = match != outputs->end() ? match->name : outputs->front().name;
        }
        const PortSpec* produced = find_port(*outputs, ref.port);
        if (!produced)
          throw config_error(ref.mark, "node '" + node.name + "': '" + ref.node + "' has no output '" + ref.port +
                                           "'; it has " + port_names(*outputs));
        if (applications > 1 && (ref.application < 0 || ref.application >= applications))
          throw config_error(ref.mark, "node '" + node.name + "': '" + ref.node + "' runs on " +
                                           std::to_string(applications) + " inputs; write " + ref.node + ".0 to " +
                                           ref.node + "." + std::to_string(applications - 1));
        if (applications == 1 && ref.application > 0)
          throw config_error(ref.mark, "node '" + node.name + "': '" + ref.node + "' runs on one input; write " +
                                           ref.node + " or " + ref.node + ".0");
        if (applications == 1) ref.application = -1;
        if (produced->type != expected)
          throw config_error(ref.mark, "node '" + node.name + "': input '" + port_name + "' expects " +
                                           to_string(expected) + ", but '" + ref.str() + "' is " +
                                           to_string(produced->type));
      }
    }
  }
}

}  // namespace sslflow::engine
