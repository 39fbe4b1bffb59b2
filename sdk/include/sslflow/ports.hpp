// Ports: the typed connections between the nodes of a pipeline graph.
//
// A node plugin declares, before it is constructed, the ports it reads and writes
// (MediaPipe's contract): a name, a type and a one-line doc. The engine wires a pipeline's
// `inputs:` and named references to those ports and refuses a pipeline whose port types
// do not match, naming both nodes. At run time a Packet carries one port's value.
#pragma once

#include <string>
#include <vector>

#include "sslflow/autograd.hpp"
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

}  // namespace sslflow
