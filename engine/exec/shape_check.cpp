#include "exec/shape_check.hpp"

#include "exec/batch_loader.hpp"
#include "exec/nodes.hpp"
#include "exec/plugin_factory.hpp"
#include "sslflow/interfaces/dataset.hpp"

namespace sslflow::engine {

void check_shapes(const ValidatedPipeline& pipeline) {
  const std::optional<DatasetShape> shape = build<Dataset>(pipeline.data)->peek();
  if (!shape) return;
  if (pipeline.train.batch_size > shape->train_size)
    throw config_error(pipeline.train.batch_size_mark,
                       "train.batch_size " + std::to_string(pipeline.train.batch_size) + " is larger than the " +
                           std::to_string(shape->train_size) + " samples of the training split (data: " +
                           pipeline.data.kind + "/" + pipeline.data.name + ")");
  LiveNodes nodes(*pipeline.graph);
  const int64_t steps_per_epoch = BatchLoader::epoch_steps(shape->train_size, pipeline.train.batch_size);
  nodes.setup(shape->sample_shape, pipeline.seed, steps_per_epoch, LiveNodes::Weights::Skip);
}

}  // namespace sslflow::engine
