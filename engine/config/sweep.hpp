// Sweeps: one pipeline file standing for a grid of runs.
//
//   sweep:
//     train.optimizer.lr: [0.03, 0.06]
//     train.batch_size: [128, 256]
//
// expands to the cartesian product (here four configs, the first key varying slowest).
// Each has the sweep section removed, its values set as overrides would set them (the
// paths must exist), and its name suffixed with the setting: simsiam-fmnist[lr=0.03,
// batch_size=128]. A setting is labelled by its last key, or by its whole path where two
// paths share a last key. A config without a sweep expands to itself.
#pragma once

#include <cstddef>
#include <vector>

#include "config/pipeline_config.hpp"

namespace sslflow {

inline constexpr size_t kMaxSweepRuns = 10'000;

std::vector<PipelineConfig> expand_sweep(const PipelineConfig& config);

}  // namespace sslflow
