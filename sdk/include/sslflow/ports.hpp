// Ports: the typed connections between the nodes of a pipeline graph.
//
// A node plugin declares, before it is constructed, the ports it reads and writes
// (MediaPipe's contract): a name, a type and a one-line doc. The engine wires a pipeline's
// `inputs:` and named references to those ports and refuses a pipeline whose port types
// do not match, naming both nodes. At run time a Packet carries one port's value.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "sslflow/autograd.hpp"
#include "sslflow/error.hpp"
#include "sslflow/export.hpp"

namespace sslflow {

enum class PortType {
  Image,     // (B, C, H, W) images
  Mask,      // (B, T) of 0/1: 1 marks a masked token
  Labels,    // (B) class ids, stored as floats
  Features,  // (B, D) one vector per sample
  Tokens,    // (B, T, D) one vector per token
  Blocks,    // a list of (B, T, D): the output of every block of an encoder
};

SSLFLOW_EXPORT const char* to_string(PortType type);

struct PortSpec {
  std::string name;
  PortType type;
  std::string doc;
  bool optional = false;  // an input that may be left unconnected
  bool repeated = false;  // an input that takes a list of connections (`inputs: [a, b]`)
  int count = 0;          // a repeated input: exactly this many connections; 0: any number
  int min_count = 0;      // a repeated input: at least this many connections
};

// A plugin's declared inputs and outputs.
struct Signature {
  std::vector<PortSpec> inputs;
  std::vector<PortSpec> outputs;
};

// The value on one port for one step: one Var, or one per block for PortType::Blocks. Its
// type is the port's, declared in the signatures and checked when the pipeline is validated.
struct Packet {
  std::vector<Var> values;

  const Var& value() const { return values.at(0); }
};

// What is connected to each input port of a node: per port, in declaration order, a list
// in connection order. MethodInputs holds a step's packets, InputShapes their shapes.
template <typename T>
class PortLists {
 public:
  PortLists() = default;
  PortLists(std::initializer_list<std::pair<std::string, std::vector<T>>> ports) : ports_(ports) {}

  void add(const std::string& port, T item) {
    for (auto& [name, items] : ports_)
      if (name == port) {
        items.push_back(std::move(item));
        return;
      }
    ports_.emplace_back(port, std::vector<T>{std::move(item)});
  }
  // How many items `port` holds; 0 when it is not connected.
  size_t count(const std::string& port) const {
    const std::vector<T>* items = find(port);
    return items ? items->size() : 0;
  }
  // The index-th item of `port`; throws GraphError naming the port when there is none.
  const T& get(const std::string& port, size_t index = 0) const {
    const std::vector<T>& items = all(port);
    if (index >= items.size())
      throw GraphError("input '" + port + "' #" + std::to_string(index) + " is not connected (it has " +
                       std::to_string(items.size()) + ")");
    return items[index];
  }
  // Every item of `port`, in order; throws GraphError naming the port when it is not
  // connected.
  const std::vector<T>& all(const std::string& port) const {
    const std::vector<T>* items = find(port);
    if (!items) throw GraphError("input '" + port + "' is not connected");
    return *items;
  }
  // The connected ports' names, in declaration order.
  std::vector<std::string> ports() const {
    std::vector<std::string> names;
    for (const auto& entry : ports_) names.push_back(entry.first);
    return names;
  }

 private:
  const std::vector<T>* find(const std::string& port) const {
    for (const auto& [name, items] : ports_)
      if (name == port) return &items;
    return nullptr;
  }

  std::vector<std::pair<std::string, std::vector<T>>> ports_;
};

// The packets connected to each input port of a method, for one step.
using MethodInputs = PortLists<Packet>;
// The per-sample shapes (without the batch dimension) connected to each input port: one
// per packet, or one per block of a Blocks port, so that a method knows how many blocks
// there are.
using InputShapes = PortLists<Shape>;

}  // namespace sslflow
