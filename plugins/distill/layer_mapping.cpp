#include "layer_mapping.hpp"

#include <algorithm>

#include "sslflow/error.hpp"

namespace sslflow::distill {

std::string to_string(const LayerPair& pair) {
  return "(" + std::to_string(pair.student) + ", " + std::to_string(pair.teacher) + ")";
}

std::vector<LayerPair> parse_layer_mapping(const std::string& owner, const std::vector<int64_t>& flat) {
  if (flat.empty() || flat.size() % 2 != 0)
    throw OptionError(owner + ": layer_mapping is a flat list of (student, teacher) pairs [s0, t0, s1, t1, ...], got " +
                      std::to_string(flat.size()) + " numbers");
  std::vector<LayerPair> pairs;
  for (size_t i = 0; i < flat.size(); i += 2) {
    const LayerPair pair{flat[i], flat[i + 1]};
    if (pair.student < 0 || pair.teacher < 0)
      throw OptionError(owner + ": layer_mapping pair " + to_string(pair) + " has a negative block index");
    const bool repeated = std::any_of(pairs.begin(), pairs.end(), [&](const LayerPair& p) {
      return p.student == pair.student && p.teacher == pair.teacher;
    });
    if (repeated) throw OptionError(owner + ": layer_mapping names the pair " + to_string(pair) + " twice");
    pairs.push_back(pair);
  }
  return pairs;
}

void check_layers_exist(const std::string& owner, const std::vector<LayerPair>& mapping, int64_t student_blocks,
                        int64_t teacher_blocks) {
  auto check = [&](const LayerPair& pair, int64_t index, const char* side, int64_t count) {
    if (index < count) return;
    const std::string has = count == 0 ? "no layers"
                                       : std::to_string(count) + " layers (0 to " + std::to_string(count - 1) + ")";
    throw Error(owner + ": layer_mapping pair " + to_string(pair) + " names " + side + " layer " +
                std::to_string(index) + ", but the " + side + " has " + has);
  };
  for (const LayerPair& pair : mapping) {
    check(pair, pair.student, "student", student_blocks);
    check(pair, pair.teacher, "teacher", teacher_blocks);
  }
}

}  // namespace sslflow::distill
