// Checkpoints of a run, for resuming it exactly.
//
// A checkpoint is a directory <run_dir>/checkpoints/step-<N>/ holding model.safetensors
// (every node's parameters and buffers, teachers included, by "<node>.<name>"),
// optimizer.safetensors (the optimizer's state) and state.json (the steps done, the
// epoch, the pipeline's name and seed). Each file is written atomically, and a COMPLETE
// marker last: a directory without it is an interrupted write and is ignored. The newest
// `keep` complete checkpoints are kept. Nothing else is needed to resume: data order and
// augmentations are pure functions of (seed, epoch, sample), so a resumed run takes the
// same steps an uninterrupted one would.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sslflow/module.hpp"

namespace sslflow::engine {

struct Checkpoint {
  std::string dir;
  int64_t step = 0;  // steps completed
  NamedTensors model;
  NamedTensors optimizer;
  std::string pipeline_name;
  uint64_t seed = 0;
};

// Writes the checkpoint of `step` completed steps and prunes older ones beyond `keep`.
void write_checkpoint(const std::string& run_dir, const Checkpoint& checkpoint, int keep);

// The newest complete checkpoint of a run, if any.
std::optional<Checkpoint> latest_checkpoint(const std::string& run_dir);

}  // namespace sslflow::engine
