#include "train/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "sslflow/error.hpp"
#include "sslflow/io/atomic_file.hpp"
#include "sslflow/io/safetensors.hpp"
#include "train/sha256.hpp"

namespace sslflow::engine {

namespace fs = std::filesystem;

namespace {

constexpr const char* kComplete = "COMPLETE";
constexpr std::array<const char*, 3> kFiles = {"model.safetensors", "optimizer.safetensors", "state.json"};

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

void write_marker(const fs::path& dir) {
  std::string text;
  for (const char* file : kFiles) text += sha256_of_file((dir / file).string()) + "  " + file + "\n";
  io::write_file_atomically((dir / kComplete).string(), [&](std::ostream& out) { out << text; });
}

// Throws FormatError naming the first file that the marker does not list or whose
// contents do not match its checksum.
void verify_marker(const fs::path& dir) {
  const fs::path marker = dir / kComplete;
  std::ifstream in(marker);
  std::map<std::string, std::string> listed;
  for (std::string line; std::getline(in, line);)
    if (line.size() > 66 && line.substr(64, 2) == "  ") listed[line.substr(66)] = line.substr(0, 64);
  for (const char* file : kFiles) {
    const auto it = listed.find(file);
    if (it == listed.end()) throw FormatError(marker.string(), std::string("lists no checksum of ") + file);
    const fs::path path = dir / file;
    if (!fs::is_regular_file(path)) throw FormatError(path.string(), "missing");
    if (sha256_of_file(path.string()) != it->second)
      throw FormatError(path.string(), "its SHA-256 differs from the one in " + marker.string());
  }
}

Checkpoint read_checkpoint(const fs::path& dir, int64_t total_steps) {
  verify_marker(dir);
  const fs::path state_path = dir / "state.json";
  Checkpoint c;
  c.dir = dir.string();
  std::ifstream in(state_path);
  try {
    const nlohmann::json state = nlohmann::json::parse(in);
    c.step = state.at("step").get<int64_t>();
    c.pipeline_name = state.at("pipeline").get<std::string>();
    c.seed = state.at("seed").get<uint64_t>();
    c.config_sha256 = state.at("config_sha256").get<std::string>();
    c.evaluated = state.at("evaluated").get<bool>();
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(state_path.string(), std::string("not a checkpoint state: ") + e.what());
  }
  if (step_dir_name(c.step) != dir.filename().string())
    throw FormatError(state_path.string(), "step " + std::to_string(c.step) + " is not the step of its directory");
  if (c.step < 1 || c.step > total_steps)
    throw FormatError(state_path.string(), "step " + std::to_string(c.step) + " lies outside [1, " +
                                               std::to_string(total_steps) + "], the run's steps");
  c.model = io::read_safetensors((dir / "model.safetensors").string()).tensors;
  c.optimizer = io::read_safetensors((dir / "optimizer.safetensors").string()).tensors;
  return c;
}

// Makes the entries of `dir` durable (a rename into it, a directory created in it).
void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw FormatError(dir.string(), "cannot open the directory to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0 && errno != EINVAL) throw FormatError(dir.string(), "cannot sync the directory");
}

// Removes what an interrupted write left in `dir`: "<name>.tmp.<pid>[.<n>]" files and
// directories.
void remove_stale_temporaries(const fs::path& dir) {
  if (!fs::is_directory(dir)) return;
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) stale.push_back(entry.path());
  for (const fs::path& p : stale) fs::remove_all(p);
}

}  // namespace

void write_checkpoint(const std::string& run_dir, const Checkpoint& c, int keep) {
  const fs::path root = fs::path(run_dir) / "checkpoints";
  const fs::path dir = root / step_dir_name(c.step);
  const fs::path staging = dir.string() + ".tmp." + std::to_string(::getpid());
  try {
    fs::create_directories(root);
    remove_stale_temporaries(root);
    fs::create_directory(staging);
    io::write_safetensors((staging / "model.safetensors").string(), c.model);
    io::write_safetensors((staging / "optimizer.safetensors").string(), c.optimizer);
    nlohmann::ordered_json state{{"step", c.step}, {"pipeline", c.pipeline_name}, {"seed", c.seed}, {"config_sha256", c.config_sha256},
                                   {"evaluated", c.evaluated}};
    io::write_file_atomically((staging / "state.json").string(),
                              [&](std::ostream& out) { out << state.dump(2) << '\n'; });
    write_marker(staging);
    fs::remove_all(dir);  // an unusable checkpoint of this step, passed over by a resume
    fs::rename(staging, dir);
    sync_directory(root);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw Error("cannot write checkpoint " + dir.string() + " (the previous checkpoints are kept): " + e.what());
  }
  std::vector<fs::path> all = complete_checkpoints(root);
  for (size_t i = 0; i + static_cast<size_t>(keep) < all.size(); ++i) fs::remove_all(all[i]);
}

std::optional<Checkpoint> latest_checkpoint(const std::string& run_dir, int64_t total_steps, std::ostream* log) {
  remove_stale_temporaries(run_dir);
  remove_stale_temporaries(fs::path(run_dir) / "checkpoints");
  const std::vector<fs::path> all = complete_checkpoints(fs::path(run_dir) / "checkpoints");
  for (auto dir = all.rbegin(); dir != all.rend(); ++dir) {
    try {
      return read_checkpoint(*dir, total_steps);
    } catch (const Error& e) {
      if (log) *log << "warning: checkpoint " << dir->string() << " is not used: " << e.what() << "\n";
    }
  }
  if (!all.empty())
    throw Error("nothing to resume: none of the " + std::to_string(all.size()) + " checkpoints in " + run_dir +
                "/checkpoints is usable");
  return std::nullopt;
}

}  // namespace sslflow::engine
