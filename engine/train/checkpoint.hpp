// Checkpoints of a run, for resuming it exactly.
//
// A checkpoint is a directory <run_dir>/checkpoints/step-<N>/ holding model.safetensors
// (every node's parameters and buffers, teachers included, by "<node>.<name>"),
// optimizer.safetensors (the optimizer's state) and state.json (the steps done, the
// pipeline's name and seed, the SHA-256 of its resolved config). The files, then a COMPLETE marker, are written and
// synced in step-<N>.tmp.<pid>/, which is renamed to step-<N>/ and the checkpoint directory
// synced before older checkpoints are pruned; a write that fails removes its temporary
// directory and throws naming the path, and what an interrupted one left is removed at
// the next write or resume. The marker
// lists each file's SHA-256 in sha256sum's format ("<hex>  <name>" a line; check one by
// hand with `cd step-N && sha256sum -c COMPLETE`). SHA-256 rather than a 64-bit hash: the
// tools at hand check it, and at checkpoint sizes its cost is one more read of the files.
// The newest `keep` complete checkpoints are kept. Nothing else is needed to resume: data order and
// augmentations are pure functions of (seed, epoch, sample), so a resumed run takes the
// same steps an uninterrupted one would.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
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
  std::string config_sha256;  // of the resolved config the run was written under
  // False when a stop interrupted the evaluations due after `step`: resume runs them first.
  bool evaluated = true;
};

// Writes the checkpoint of `step` completed steps and prunes older ones beyond `keep`.
void write_checkpoint(const std::string& run_dir, const Checkpoint& checkpoint, int keep);

// The newest checkpoint of a run whose files match the checksums of its marker and whose
// state.json is consistent (its step is that of the directory's name and lies in
// [1, total_steps]). A newer checkpoint that fails a check is never loaded: a warning
// naming it, the file and what is wrong goes to `log` (when given) and the one before is
// tried. Empty when the run has written no checkpoint; an Error when it has written some
// and none of them can be used.
std::optional<Checkpoint> latest_checkpoint(const std::string& run_dir, int64_t total_steps, std::ostream* log);

}  // namespace sslflow::engine
