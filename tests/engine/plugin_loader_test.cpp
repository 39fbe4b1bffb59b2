#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>

#include "plugin/descriptor_check.hpp"
#include "plugin/plugin_search_path.hpp"
#include "sslflow/plugin_loader.hpp"
#include "sslflow/error.hpp"
#include "sslflow/interfaces/ema_scheduler.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using sslflow::PluginError;
using sslflow::PluginLoader;
using sslflow::Registry;

namespace {

fs::path test_plugin_dir(const std::string& name) { return fs::path(SSLFLOW_TEST_PLUGIN_DIR) / name; }

// The library built from tests/engine/plugins/<name>.cpp.
fs::path test_plugin(const std::string& name) {
  return fs::canonical(test_plugin_dir(name) / ("libsslflow_test_plugin_" + name + ".so"));
}

// The PluginError `load` throws, if any.
std::optional<PluginError> plugin_error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const PluginError& e) {
    return e;
  }
  return std::nullopt;
}

// A length that ends a copy of a test plugin inside its loadable segments: past the first
// page (the ELF header and the read-only segment), inside the code that follows. Half the
// file would not do in a build with debug information, whose sections sit after every
// segment.
constexpr uintmax_t kInsideTheCode = 4096 + 1024;

// Loads `library` into a fresh registry, which must refuse it: returns the reason recorded,
// after checking that the record and the warning name the file.
std::string refusal_of(const fs::path& library) {
  Registry registry;
  std::ostringstream warnings;
  PluginLoader loader(registry, warnings);
  const std::string path = fs::canonical(library).string();
  CHECK_FALSE(loader.load_library(library));
  CHECK(loader.loaded().empty());
  CHECK(registry.list().empty());
  REQUIRE(registry.refused().size() == 1);
  CHECK(registry.refused()[0].library == path);
  CHECK_THAT(warnings.str(), Contains(path + ": ") && Contains("; refused"));
  return registry.refused()[0].reason;
}

// A fresh, empty directory of this process under the temporary directory, removed on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("sslflow-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

TEST_CASE("Plugins.Loader.loads_a_library", "[engine][plugin]") {
  Registry registry;
  std::ostringstream warnings;
  PluginLoader loader(registry, warnings);
  REQUIRE(loader.load_library(test_plugin("good")));

  const sslflow::PluginInfo* info = registry.find("ema_scheduler", "test_fixed");
  REQUIRE(info != nullptr);
  CHECK(info->library == test_plugin("good").string());
  CHECK(info->library_version == "2.3.4");
  CHECK(info->description == "a fixed momentum");
  auto scheduler = registry.create<sslflow::EmaScheduler>(
      "test_fixed", sslflow::Params::resolve("test_fixed", info->schema, sslflow::Value()));
  REQUIRE(scheduler);
  CHECK(scheduler->momentum(3, 10) == 0.5);
  CHECK(loader.loaded() == std::vector<fs::path>{test_plugin("good")});
  CHECK(warnings.str().empty());
}

TEST_CASE("Plugins.Loader.same_file_twice_loads_once", "[engine][plugin]") {
  Registry registry;
  std::ostringstream warnings;
  PluginLoader loader(registry, warnings);
  REQUIRE(loader.load_library(test_plugin("good")));
  CHECK_FALSE(loader.load_library(test_plugin_dir("good") / ".." / "good" / "libsslflow_test_plugin_good.so"));
  loader.load_directories({test_plugin_dir("good"), test_plugin_dir("good")});
  CHECK(registry.list().size() == 1);
  CHECK(loader.loaded().size() == 1);
}

TEST_CASE("Plugins.Loader.refuses_abi_mismatch", "[engine][plugin]") {
  const std::string reason = refusal_of(test_plugin("abi999"));
  CHECK_THAT(reason, Contains("ABI version 999") && Contains("ABI version " + std::to_string(sslflow::kAbiVersion)));
}

TEST_CASE("Plugins.Loader.refuses_abi_1_descriptor_function", "[engine][plugin]") {
  CHECK_THAT(refusal_of(test_plugin("descriptor_function")),
             Contains("as a function") && Contains("ABI version 1") && Contains("rebuild"));
}

TEST_CASE("Plugins.Loader.refuses_descriptor_of_wrong_size", "[engine][plugin]") {
  CHECK_THAT(refusal_of(test_plugin("descriptor_too_small")),
             Contains("is 12 bytes") && Contains(std::to_string(sizeof(sslflow::PluginDescriptor)) + " bytes"));
}

TEST_CASE("Plugins.Loader.refuses_cxx_abi_mismatch_naming_the_parts", "[engine][plugin]") {
  const std::string reason = refusal_of(test_plugin("other_cxx_abi"));
  CHECK_THAT(reason, Contains("libstdc++ 99 in the library") && Contains("_GLIBCXX_USE_CXX11_ABI=0 in the library") &&
                         Contains(std::string("compiler ") + SSLFLOW_COMPILER));
}

TEST_CASE("Plugins.Loader.cxx_abi_difference", "[engine][plugin]") {
  CHECK(sslflow::cxx_abi_difference(SSLFLOW_CXX_ABI, SSLFLOW_CXX_ABI).empty());
  CHECK(sslflow::cxx_abi_difference("libstdc++ 12; X=1", "libstdc++ 12; X=0") == "X=0 here, X=1 in the library");
  CHECK(sslflow::cxx_abi_difference("libc++ 14000", "libstdc++ 12; X=1") ==
        "libstdc++ 12 here, libc++ 14000 in the library, X=1 here, nothing in the library");
}

TEST_CASE("Plugins.Loader.refuses_sdk_mismatch", "[engine][plugin]") {
  const std::string ours = std::to_string(SSLFLOW_VERSION_MAJOR) + "." + std::to_string(SSLFLOW_VERSION_MINOR);
  CHECK_THAT(refusal_of(test_plugin("sdk_0_99")),
             Contains("sdk " + std::to_string(SSLFLOW_VERSION_MAJOR) + ".99") && Contains("sdk is " + ours));
}

TEST_CASE("Plugins.Loader.refuses_garbage_descriptor_fields", "[engine][plugin]") {
  CHECK_THAT(refusal_of(test_plugin("unprintable_compiler")),
             Contains("compiler string is not printable ASCII: byte 0x1b at offset 4"));
  CHECK_THAT(refusal_of(test_plugin("wild_compiler")),
             Contains("compiler string does not point into the library's readable segments"));
  CHECK_THAT(refusal_of(test_plugin("register_all_in_data")),
             Contains("register_all does not point into the library's executable segments"));
}

TEST_CASE("Plugins.Loader.refuses_truncated_copy", "[engine][plugin]") {
  ScratchDir dir("truncated");
  const fs::path copy = dir.path() / "libsslflow_truncated.so";
  fs::copy_file(test_plugin("good"), copy);
  fs::resize_file(copy, kInsideTheCode);
  CHECK_THAT(refusal_of(copy), Contains("segment") && Contains("partial copy"));

  fs::resize_file(copy, 40);
  CHECK_THAT(refusal_of(copy), Contains("ends inside its ELF header"));
}

TEST_CASE("Plugins.Loader.refuses_what_is_not_a_shared_object", "[engine][plugin]") {
  ScratchDir dir("not-elf");
  const fs::path text = dir.path() / "libsslflow_text.so";
  std::ofstream(text) << "#!/bin/sh\necho not a library\n";
  CHECK_THAT(refusal_of(text), Contains("expected an ELF file"));

  const fs::path executable = dir.path() / "libsslflow_executable.so";
  fs::copy_file("/proc/self/exe", executable);
  const std::string reason = refusal_of(executable);
  INFO(reason);  // a position-independent executable is ET_DYN too; dlopen refuses it then
  CHECK((reason.find("ET_DYN") != std::string::npos || reason.find("cannot load") != std::string::npos));
}

TEST_CASE("Plugins.Loader.refused_libraries_leave_the_others_loading", "[engine][plugin]") {
  ScratchDir dir("mixed");
  fs::copy_file(test_plugin("good"), dir.path() / "libsslflow_half.so");
  fs::resize_file(dir.path() / "libsslflow_half.so", kInsideTheCode);
  const std::vector<std::string> broken{"abi999", "descriptor_function", "descriptor_too_small", "other_cxx_abi",
                                        "sdk_0_99", "unprintable_compiler", "wild_compiler", "register_all_in_data"};
  std::vector<fs::path> dirs{dir.path()};
  for (const std::string& name : broken) dirs.push_back(test_plugin_dir(name));
  dirs.push_back(test_plugin_dir("good"));

  Registry registry;
  std::ostringstream warnings;
  PluginLoader loader(registry, warnings);
  loader.load_directories(dirs);
  CHECK(registry.find("ema_scheduler", "test_fixed") != nullptr);
  CHECK(registry.find("ema_scheduler", "test_refused") == nullptr);
  CHECK(loader.loaded() == std::vector<fs::path>{test_plugin("good")});
  REQUIRE(registry.refused().size() == broken.size() + 1);
  CHECK(registry.refused()[0].library == fs::canonical(dir.path() / "libsslflow_half.so").string());
  for (size_t i = 0; i < broken.size(); ++i) {
    CHECK(registry.refused()[i + 1].library == test_plugin(broken[i]).string());
    CHECK_THAT(warnings.str(), Contains(test_plugin(broken[i]).string() + ": " + registry.refused()[i + 1].reason));
  }
}

TEST_CASE("Plugins.Loader.skips_library_without_descriptor", "[engine][plugin]") {
  Registry registry;
  std::ostringstream warnings;
  PluginLoader loader(registry, warnings);
  CHECK_FALSE(loader.load_library(test_plugin("no_descriptor")));
  CHECK_THAT(warnings.str(), Contains(test_plugin("no_descriptor").string()) && Contains(sslflow::kDescriptorSymbol) &&
                                 Contains("skipped"));
  REQUIRE(loader.skipped().size() == 1);
  CHECK(loader.skipped()[0].path == test_plugin("no_descriptor"));
  CHECK(loader.loaded().empty());
  CHECK(registry.list().empty());
}

TEST_CASE("Plugins.Loader.duplicate_names_both_files", "[engine][plugin]") {
  Registry registry;
  std::ostringstream warnings;
  PluginLoader loader(registry, warnings);
  const fs::path good = test_plugin("good");
  const fs::path duplicate = test_plugin("duplicate");

  SECTION("in search-path order") {
    const std::optional<PluginError> e = plugin_error_of([&] {
      loader.load_directories({test_plugin_dir("good"), test_plugin_dir("duplicate")});
    });
    REQUIRE(e);
    CHECK(e->library() == duplicate.string());
    CHECK_THAT(e->what(), Contains("ema_scheduler/test_fixed") && Contains(good.string()));
  }
  SECTION("in the reverse order") {
    const std::optional<PluginError> e = plugin_error_of([&] {
      loader.load_directories({test_plugin_dir("duplicate"), test_plugin_dir("good")});
    });
    REQUIRE(e);
    CHECK(e->library() == good.string());
    CHECK_THAT(e->what(), Contains("ema_scheduler/test_fixed") && Contains(duplicate.string()));
  }
}

TEST_CASE("Plugins.Loader.register_all_exception_names_library", "[engine][plugin]") {
  Registry registry;
  std::ostringstream warnings;
  PluginLoader loader(registry, warnings);
  const std::optional<PluginError> e = plugin_error_of([&] { loader.load_library(test_plugin("throwing")); });
  REQUIRE(e);
  CHECK(e->library() == test_plugin("throwing").string());
  CHECK_THAT(e->what(), Contains("register_all failed") && Contains("the moon is full"));
}

TEST_CASE("Plugins.Loader.missing_file", "[engine][plugin]") {
  Registry registry;
  std::ostringstream warnings;
  PluginLoader loader(registry, warnings);
  const std::optional<PluginError> e =
      plugin_error_of([&] { loader.load_library(test_plugin_dir("good") / "libsslflow_absent.so"); });
  REQUIRE(e);
  CHECK_THAT(e->what(), Contains("libsslflow_absent.so"));
}

TEST_CASE("Plugins.Loader.missing_directory_is_reported", "[engine][plugin]") {
  Registry registry;
  std::ostringstream warnings;
  PluginLoader loader(registry, warnings);
  loader.load_directories({test_plugin_dir("absent"), test_plugin_dir("good")});
  CHECK_THAT(warnings.str(), Contains(test_plugin_dir("absent").string()) && Contains("does not exist"));
  CHECK(registry.find("ema_scheduler", "test_fixed") != nullptr);
}

TEST_CASE("Plugins.SearchPath.order", "[engine][plugin]") {
  const fs::path builtin = test_plugin_dir("good");
  using Paths = std::vector<fs::path>;

  SECTION("built-in, then the environment, then the command line") {
    CHECK(sslflow::plugin_search_path(builtin, "/env/a:/env/b", {"/cli/c", "/cli/d"}) ==
          Paths{builtin, "/env/a", "/env/b", "/cli/c", "/cli/d"});
  }
  SECTION("empty entries never stand for the current directory") {
    CHECK(sslflow::plugin_search_path(builtin, ":/env/a::/env/b:", {""}) == Paths{builtin, "/env/a", "/env/b"});
  }
  SECTION("a missing built-in directory is left out") {
    CHECK(sslflow::plugin_search_path(test_plugin_dir("absent"), "", {"/cli/c"}) == Paths{"/cli/c"});
  }
}

TEST_CASE("Plugins.SearchPath.environment", "[engine][plugin]") {
  const std::string env_value = test_plugin_dir("good").string() + ":" + test_plugin_dir("duplicate").string();
  REQUIRE(::setenv("SSLFLOW_PLUGIN_PATH", env_value.c_str(), 1) == 0);
  const std::vector<fs::path> dirs = sslflow::plugin_search_path({"/cli/dir"});
  ::unsetenv("SSLFLOW_PLUGIN_PATH");

  // The test binary lives in build/tests, so its built-in directory is the build tree's.
  REQUIRE(dirs.size() == 4);
  CHECK(fs::equivalent(dirs[0], SSLFLOW_BUILD_PLUGIN_DIR));
  CHECK(fs::equivalent(sslflow::builtin_plugin_dir(), SSLFLOW_BUILD_PLUGIN_DIR));
  CHECK(dirs[1] == test_plugin_dir("good"));
  CHECK(dirs[2] == test_plugin_dir("duplicate"));
  CHECK(dirs[3] == "/cli/dir");
}

TEST_CASE("Plugins.Directory.lists_only_plugin_libraries", "[engine][plugin]") {
  ScratchDir dir("plugin-dir");
  for (const char* name : {"libsslflow_b.so", "libsslflow_a.so", "libsslflow_.so", "libother.so", "libsslflow_c.so.1",
                           "sslflow_d.so", "notes.txt"})
    std::ofstream(dir.path() / name) << "";
  fs::create_directory(dir.path() / "libsslflow_dir.so");

  CHECK(sslflow::plugin_libraries_in(dir.path()) ==
        std::vector<fs::path>{dir.path() / "libsslflow_a.so", dir.path() / "libsslflow_b.so"});
  CHECK(sslflow::plugin_libraries_in(dir.path() / "absent").empty());
}
