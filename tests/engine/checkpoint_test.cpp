#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sslflow/error.hpp"
#include "train/checkpoint.hpp"

using namespace sslflow;
using namespace sslflow::engine;
namespace fs = std::filesystem;

namespace {

// A run directory holding the checkpoints of steps 2 and 4, each with weights of its step.
fs::path run_with_two_checkpoints(const std::string& name) {
  const fs::path run = fs::temp_directory_path() / ("sslflow_checkpoint_test_" + name);
  fs::remove_all(run);
  fs::create_directories(run);
  for (int64_t step : {2, 4}) {
    Tensor w(Shape{8});
    for (float& x : w.values()) x = static_cast<float>(step);
    write_checkpoint(run.string(), {"", step, {{"node.w", w}}, {{"step", Tensor::scalar(float(step))}}, "p", 1, "digest"}, 2);
  }
  return run;
}

fs::path newest(const fs::path& run) { return run / "checkpoints" / "step-000000004"; }

void flip_last_byte(const fs::path& file) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(-1, std::ios::end);
  const char c = static_cast<char>(f.get() ^ 1);
  f.seekp(-1, std::ios::end);
  f.put(c);
}

}  // namespace

TEST_CASE("Checkpoint.Resume.verified_newest_is_loaded", "[engine]") {
  const fs::path run = run_with_two_checkpoints("verified");
  std::ostringstream log;
  const auto c = latest_checkpoint(run.string(), 10, &log);
  REQUIRE(c);
  CHECK(c->step == 4);
  CHECK(log.str().empty());
}

TEST_CASE("Checkpoint.Resume.flipped_byte_falls_back_naming_the_file", "[engine]") {
  const fs::path run = run_with_two_checkpoints("flipped");
  flip_last_byte(newest(run) / "model.safetensors");
  std::ostringstream log;
  const auto c = latest_checkpoint(run.string(), 10, &log);
  REQUIRE(c);
  CHECK(c->step == 2);
  CHECK(c->model.front().second.values()[0] == 2.0f);
  CHECK_THAT(log.str(), Catch::Contains("step-000000004/model.safetensors") && Catch::Contains("SHA-256 differs"));
}

TEST_CASE("Checkpoint.Resume.empty_marked_directory_falls_back", "[engine]") {
  const fs::path run = run_with_two_checkpoints("stray");
  const fs::path stray = run / "checkpoints" / "step-000000009";
  fs::create_directories(stray);
  std::ofstream(stray / "COMPLETE") << "complete\n";
  std::ostringstream log;
  const auto c = latest_checkpoint(run.string(), 10, &log);
  REQUIRE(c);
  CHECK(c->step == 4);
  CHECK_THAT(log.str(), Catch::Contains("step-000000009") && Catch::Contains("lists no checksum of model.safetensors"));
}

TEST_CASE("Checkpoint.Resume.step_outside_the_run_is_refused", "[engine]") {
  const fs::path run = run_with_two_checkpoints("range");
  std::ostringstream log;
  const auto c = latest_checkpoint(run.string(), 3, &log);  // a run of 3 steps has no step 4
  REQUIRE(c);
  CHECK(c->step == 2);
  CHECK_THAT(log.str(), Catch::Contains("step 4 lies outside [1, 3]"));
}

TEST_CASE("Checkpoint.Resume.all_corrupt_is_an_error", "[engine]") {
  const fs::path run = run_with_two_checkpoints("none");
  for (const char* step : {"step-000000002", "step-000000004"})
    flip_last_byte(run / "checkpoints" / step / "optimizer.safetensors");
  std::ostringstream log;
  CHECK_THROWS_WITH(latest_checkpoint(run.string(), 10, &log),
                    Catch::Contains("nothing to resume: none of the 2 checkpoints in") &&
                        Catch::Contains("none/checkpoints is usable"));
  CHECK_THAT(log.str(), Catch::Contains("step-000000002/optimizer.safetensors"));
}

TEST_CASE("Checkpoint.Resume.a_run_without_checkpoints_gives_none", "[engine]") {
  const fs::path run = fs::temp_directory_path() / ("sslflow_checkpoint_empty_" + std::to_string(::getpid()));
  fs::create_directories(run);
  std::ostringstream log;
  CHECK_FALSE(latest_checkpoint(run.string(), 10, &log));
  fs::create_directories(run / "checkpoints" / "step-000000003.tmp.77");
  CHECK_FALSE(latest_checkpoint(run.string(), 10, &log));
  CHECK(log.str().empty());
  fs::remove_all(run);
}

TEST_CASE("Checkpoint.Write.stale_temporaries_are_removed", "[engine]") {
  const fs::path run = run_with_two_checkpoints("stale");
  const fs::path stale_dir = run / "checkpoints" / "step-000000006.tmp.123";
  fs::create_directories(stale_dir);
  std::ofstream(run / "model.safetensors.tmp.123.0") << "partial";
  std::ostringstream log;
  REQUIRE(latest_checkpoint(run.string(), 10, &log));
  CHECK_FALSE(fs::exists(stale_dir));
  CHECK_FALSE(fs::exists(run / "model.safetensors.tmp.123.0"));
}

TEST_CASE("Checkpoint.Write.failure_names_the_path_and_keeps_the_previous", "[engine]") {
  const fs::path run = run_with_two_checkpoints("full");
  Tensor big(Shape{1 << 16});  // 256 KiB, over the file size limit below
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  getrlimit(RLIMIT_FSIZE, &saved);
  rlimit small = saved;
  small.rlim_cur = 64 * 1024;
  setrlimit(RLIMIT_FSIZE, &small);
  std::string message;
  try {
    write_checkpoint(run.string(), {"", 6, {{"node.w", big}}, {}, "p", 1, "digest"}, 2);
  } catch (const Error& e) {
    message = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, SIG_DFL);
  CHECK_THAT(message, Catch::Contains("cannot write checkpoint") && Catch::Contains("step-000000006"));
  CHECK_FALSE(fs::exists(run / "checkpoints" / "step-000000006"));
  CHECK_FALSE(fs::exists(run / "checkpoints" / ("step-000000006.tmp." + std::to_string(::getpid()))));
  std::ostringstream log;
  const auto c = latest_checkpoint(run.string(), 10, &log);
  REQUIRE(c);
  CHECK(c->step == 4);
}
