// Which student block learns which teacher block in layer-to-layer distillation.
//
// A pipeline writes the mapping as one flat list of (student, teacher) block pairs,
// `layer_mapping: [s0, t0, s1, t1, ...]`, indices 0-based: [0, 1, 1, 3] maps student block 0
// to teacher block 1 and student block 1 to teacher block 3 (Sun et al. 2019, "Patient
// Knowledge Distillation": each student layer learns one teacher layer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sslflow::distill {

struct LayerPair {
  int64_t student;
  int64_t teacher;
};

// The pairs of a flat list [s0, t0, s1, t1, ...]. Throws OptionError naming `owner` for an
// empty or odd-length list, a negative index or a pair given twice.
std::vector<LayerPair> parse_layer_mapping(const std::string& owner, const std::vector<int64_t>& flat);

// Throws Error naming `owner`, the pair, the side and how many blocks that side has when a
// pair names a block past the end of the student's or the teacher's blocks.
void check_layers_exist(const std::string& owner, const std::vector<LayerPair>& mapping, int64_t student_blocks,
                        int64_t teacher_blocks);

// "(s, t)", for messages.
std::string to_string(const LayerPair& pair);

}  // namespace sslflow::distill
