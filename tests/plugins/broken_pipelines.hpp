// A generator of broken pipelines: every way of breaking a pipeline one change at a time.
//
// From a pipeline's tree it writes one variant per change, in four classes:
//   removed key      every map entry, at every depth, taken out;
//   misspelt key     every key with "_x" appended;
//   replaced value   every value (scalars, lists, maps, list elements) replaced by each of
//                    a string, -1, 0, 2^31, 1e300, NaN, true, null, [] and {};
//   redirected input every node reference (input, inputs, mask, teacher, student, label,
//                    ema_of) pointed at every node, at itself, at data.image and data.label,
//                    and at a node that does not exist.
// Some variants are still valid pipelines; the rest must be refused with an error that
// says where.
#pragma once

#include <string>
#include <vector>

#include "config/config_value.hpp"

namespace sslflow::testing {

struct BrokenPipeline {
  std::string change_class;  // one of the four above
  std::string change;        // what was changed, e.g. "nodes.view1.crop -> -1"
  ConfigValue root;
};

std::vector<BrokenPipeline> broken_variants(const ConfigValue& root);

}  // namespace sslflow::testing
