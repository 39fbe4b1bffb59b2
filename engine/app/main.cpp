// sslflow: the command-line entry point. Global options and one line per subcommand;
// every subcommand lives in its own file (commands.hpp).
//
// Exit status: 0 on success, 2 for a usage error, 1 for any other error. Errors are printed
// as "sslflow: error: <message>" on stderr; nothing escapes main.
#include <malloc.h>

#include <exception>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "app/signals.hpp"
#include "sslflow/error.hpp"
#include "sslflow/version.hpp"

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

int report(const std::string& message, int status) {
  std::cerr << "sslflow: error: " << message << "\n";
  return status;
}

// Training allocates and frees the same large tensors every step. glibc would hand each one
// to mmap and back, paying fresh page faults every time; keeping them on the heap lets
// freed blocks be reused.
void keep_large_blocks_on_the_heap() {
  constexpr int kMmapThreshold = 1 << 30;
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kMmapThreshold);
}

// argv as a shell would read it back: arguments with characters a shell treats specially
// single-quoted, control characters shown as '?'.
std::string shell_words(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    std::string word = argv[i];
    for (char& c : word)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    const bool plain = !word.empty() && word.find_first_not_of(
                                            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=./:,@%") ==
                                            std::string::npos;
    if (!plain) {
      std::string quoted = "'";
      for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      word = quoted + "'";
    }
    line += (i ? " " : "") + word;
  }
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  sslflow::take_termination_signals();  // before any thread starts (signals.hpp)
  keep_large_blocks_on_the_heap();
  CLI::App app{"sslflow: self-supervised learning pipelines built from plugins", "sslflow"};
  app.set_version_flag("--version", SSLFLOW_VERSION_STRING);
  app.require_subcommand(1);
  app.fallthrough();

  sslflow::GlobalOptions global;
  global.command_line = shell_words(argc, argv);
  app.add_option("--plugin-path", global.plugin_paths,
                 "also load plugins from DIR (repeatable; after the built-in directory and SSLFLOW_PLUGIN_PATH)")
      ->type_name("DIR")
      ->check(CLI::ExistingDirectory)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);

  sslflow::add_plugins_command(app, global);
  sslflow::add_validate_command(app, global);
  sslflow::add_print_config_command(app, global);
  sslflow::add_graph_command(app, global);
  sslflow::add_run_command(app, global);
  sslflow::add_eval_command(app, global);
  sslflow::add_embed_command(app, global);
  sslflow::add_data_stats_command(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    return report(e.what() + std::string("\nRun 'sslflow --help' for usage."), kExitUsage);
  } catch (const sslflow::CommandExit& e) {
    if (!e.message.empty()) std::cerr << "sslflow: " << e.message << "\n";
    return e.status;
  } catch (const sslflow::Error& e) {
    return report(e.what(), kExitError);
  } catch (const std::exception& e) {
    return report(std::string("unexpected failure: ") + e.what(), kExitError);
  } catch (...) {
    return report("an exception that is not a std::exception", kExitError);
  }
  return 0;
}
