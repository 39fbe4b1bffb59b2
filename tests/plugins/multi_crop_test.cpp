#include <catch2/catch.hpp>

#include <string>

#include "builtin_registry.hpp"
#include "config/pipeline_config.hpp"
#include "graph/validate.hpp"
#include "train/trainer.hpp"
#include "two_view_methods.hpp"

using namespace sslflow;

namespace {

// Multi-crop as SwAV and DINO use it (Caron et al. 2020, 2021): two global crops and two
// local crops of another size and scale range, each a transform node, routed to one encoder
// as four applications. The ResNet pools globally, so its features have one width whatever
// the crop's size; here one objective contrasts the global pair and another the local pair.
const char* kMultiCrop = R"(name: multi-crop
seed: 1
train: {epochs: 2, batch_size: 32, optimizer: {plugin: sgd, lr: 0.05, momentum: 0.9}}
data: {plugin: synthetic, train_size: 128, test_size: 64, num_classes: 4, image_size: 32, channels: 3}
nodes:
  global1: {plugin: random_resized_crop, input: data.image, size: 32, scale: [0.4, 1.0]}
  global2: {plugin: random_resized_crop, input: data.image, size: 32, scale: [0.4, 1.0]}
  local1: {plugin: random_resized_crop, input: data.image, size: 16, scale: [0.05, 0.4]}
  local2: {plugin: random_resized_crop, input: data.image, size: 16, scale: [0.05, 0.4]}
  backbone: {plugin: resnet, inputs: [global1, global2, local1, local2], stem: cifar, width: 8}
  global_pair: {plugin: simclr, inputs: [backbone.0, backbone.1], proj_hidden: 64, proj_dim: 32}
  local_pair: {plugin: simclr, inputs: [backbone.2, backbone.3], proj_hidden: 64, proj_dim: 32}
eval:
  - {plugin: knn, k: 10}
)";

}  // namespace

TEST_CASE("Pipelines.multi_crop.global_and_local_crops_through_one_encoder", "[plugin][engine]") {
  const auto pipeline = engine::validate(PipelineConfig::parse(kMultiCrop, "multi_crop.yaml"), testing::builtin_registry());
  REQUIRE(pipeline.graph->node("backbone").applications() == 4);
  const engine::RunResult run = engine::train(pipeline, {});
  REQUIRE(run.losses.size() == 8);
  const double global_loss = testing::metric(run.final_metrics, "global_pair.loss");
  const double local_loss = testing::metric(run.final_metrics, "local_pair.loss");
  CHECK(global_loss > 0.0);
  CHECK(local_loss > 0.0);
  CHECK(run.losses.back() == Approx(global_loss + local_loss).epsilon(1e-6));
  CHECK(testing::metric(run.final_metrics, "knn.top1") > 0.25);
}
