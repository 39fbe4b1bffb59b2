#include "train/checkpoint.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "sslflow/error.hpp"
#include "sslflow/io/atomic_file.hpp"
#include "sslflow/io/safetensors.hpp"

namespace sslflow::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char* kComplete = "COMPLETE";

std::string step_dir_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step-%09lld", static_cast<long long>(step));
  return buf;
}

// Complete checkpoint directories, oldest first.
std::vector<fs::path> complete_checkpoints(const fs::path& root) {
  std::vector<fs::path> out;
  if (!fs::is_directory(root)) return out;
  for (const auto& entry : fs::directory_iterator(root))
    if (entry.is_directory() && entry.path().filename().string().starts_with("step-") &&
        fs::exists(entry.path() / kComplete))
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

void write_checkpoint(const std::string& run_dir, const Checkpoint& c, int keep) {
  const fs::path root = fs::path(run_dir) / "checkpoints";
  const fs::path dir = root / step_dir_name(c.step);
  fs::create_directories(dir);
  io::write_safetensors((dir / "model.safetensors").string(), c.model);
  io::write_safetensors((dir / "optimizer.safetensors").string(), c.optimizer);
  nlohmann::ordered_json state{{"step", c.step}, {"pipeline", c.pipeline_name}, {"seed", c.seed}};
  io::write_file_atomically((dir / "state.json").string(), [&](std::ostream& out) { out << state.dump(2) << '\n'; });
  io::write_file_atomically((dir / kComplete).string(), [](std::ostream& out) { out << "complete\n"; });
  std::vector<fs::path> all = complete_checkpoints(root);
  for (size_t i = 0; i + static_cast<size_t>(keep) < all.size(); ++i) fs::remove_all(all[i]);
}

std::optional<Checkpoint> latest_checkpoint(const std::string& run_dir) {
  const std::vector<fs::path> all = complete_checkpoints(fs::path(run_dir) / "checkpoints");
  if (all.empty()) return std::nullopt;
  const fs::path& dir = all.back();
  Checkpoint c;
  c.dir = dir.string();
  std::ifstream in(dir / "state.json");
  nlohmann::json state;
  try {
    state = nlohmann::json::parse(in);
    c.step = state.at("step").get<int64_t>();
    c.pipeline_name = state.at("pipeline").get<std::string>();
    c.seed = state.at("seed").get<uint64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError((dir / "state.json").string(), std::string("not a checkpoint state: ") + e.what());
  }
  c.model = io::read_safetensors((dir / "model.safetensors").string()).tensors;
  c.optimizer = io::read_safetensors((dir / "optimizer.safetensors").string()).tensors;
  return c;
}

}  // namespace sslflow::engine
