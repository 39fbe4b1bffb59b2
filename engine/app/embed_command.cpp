// sslflow embed RUN_DIR --out FEATS.npy [--node NODE] [--split train|test] [--data MAP]:
// writes the features (N, D) of a finished run's encoder as float32 .npy and the labels
// (N) as int64 next to them (FEATS.labels.npy). --data replaces the run's `data:` map, so
// that other images can be embedded: --data "{plugin: npy, train_images: x.npy}".
#include <iostream>
#include <map>
#include <memory>

#include "app/commands.hpp"
#include "train/trained_run.hpp"

namespace sslflow {

namespace {

struct EmbedArgs {
  std::string run_dir;
  std::string out;
  std::string node;
  Split split = Split::Test;
  std::string data;
};

}  // namespace

void add_embed_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("embed", "write the features of a finished run's encoder as .npy");
  auto args = std::make_shared<EmbedArgs>();
  cmd->add_option("run_dir", args->run_dir, "the run directory (config.yaml, model.safetensors)")
      ->type_name("RUN_DIR")
      ->required();
  cmd->add_option("--out", args->out, "the features file; the labels go to FEATS.labels.npy")
      ->type_name("FEATS.npy")
      ->required();
  cmd->add_option("--node", args->node, "the encoder node (default: the first encoder that is not a teacher)");
  const std::map<std::string, Split> splits{{"train", Split::Train}, {"test", Split::Test}};
  cmd->add_option("--split", args->split, "the dataset split (default test)")
      ->transform(CLI::CheckedTransformer(splits, CLI::ignore_case));
  cmd->add_option("--data", args->data, "a dataset to embed instead of the run's, as a YAML flow map")
      ->type_name("MAP");
  cmd->callback([args, &global] {
    const LoadedPlugins plugins = load_plugins(global);
    std::vector<std::string> overrides;
    if (!args->data.empty()) overrides.push_back("data=" + args->data);
    engine::TrainedRun run = engine::load_trained_run(args->run_dir, plugins.registry, overrides);
    const Shape shape = engine::write_embedding(run, args->node, args->split, args->out);
    std::cout << "wrote " << args->out << " " << shape.str() << " and " << engine::embedding_labels_path(args->out)
              << "\n";
  });
}

}  // namespace sslflow
