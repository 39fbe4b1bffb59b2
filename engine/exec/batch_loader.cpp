#include "exec/batch_loader.hpp"

#include <algorithm>

#include <tbb/parallel_for.h>

#include "exec/sampler.hpp"
#include "sslflow/error.hpp"

namespace sslflow::engine {

namespace {

Shape batched(int64_t batch, const Shape& sample) {
  std::vector<int64_t> dims{batch};
  for (int64_t d : sample) dims.push_back(d);
  return Shape(dims);
}

}  // namespace

int64_t BatchLoader::epoch_steps(int64_t train_size, int64_t batch_size) {
  if (batch_size <= 0 || batch_size > train_size)
    throw Error("batch_size " + std::to_string(batch_size) + " does not fit a training split of " +
                std::to_string(train_size) + " samples");
  return train_size / batch_size;
}

BatchLoader::BatchLoader(const Dataset& data, const LiveNodes& nodes, int64_t batch_size, uint64_t seed)
    : data_(data),
      batch_size_(batch_size),
      seed_(seed),
      steps_per_epoch_(epoch_steps(data.size(Split::Train), batch_size)),
      sample_shape_(data.sample_shape()) {
  for (const TransformNode* node : nodes.transforms()) {
    size_t input = 0;
    for (size_t k = 0; k < stages_.size(); ++k)
      if (stages_[k].node->output() == node->input()) input = k + 1;
    if (input == 0 && node->input() != PortTable::kImage)
      throw GraphError("transform '" + node->spec().name + "' reads '" + nodes.ports().name(node->input()) +
                       "', which is not an image source");
    stages_.push_back({node, input});
  }
}

std::shared_ptr<const std::vector<int64_t>> BatchLoader::order_of(int64_t epoch) const {
  std::lock_guard lock(order_mutex_);
  if (!order_ || order_epoch_ != epoch) {
    order_ = std::make_shared<const std::vector<int64_t>>(epoch_permutation(seed_, epoch, data_.size(Split::Train)));
    order_epoch_ = epoch;
  }
  return order_;
}

Batch BatchLoader::load(int64_t epoch, int64_t step) const {
  const std::shared_ptr<const std::vector<int64_t>> order = order_of(epoch);
  Batch batch{epoch, step, {}};
  Tensor images(batched(batch_size_, sample_shape_));
  Tensor labels(Shape{batch_size_});
  std::vector<Tensor> outputs;
  std::vector<Rng> streams;  // (seed, node, epoch); each sample takes its child
  for (const TransformStage& s : stages_) {
    outputs.emplace_back(batched(batch_size_, s.node->output_shape()));
    streams.emplace_back(seed_, "transform." + s.node->spec().name, static_cast<uint64_t>(epoch));
  }

  tbb::parallel_for(int64_t{0}, batch_size_, [&](int64_t b) {
    const int64_t index = (*order)[static_cast<size_t>(step * batch_size_ + b)];
    Tensor image = images.rows(b, b + 1);
    labels.data()[b] = static_cast<float>(data_.read(Split::Train, index, image.values()));
    for (size_t k = 0; k < stages_.size(); ++k) {
      const TransformStage& s = stages_[k];
      const Tensor source = s.input == 0 ? image : outputs[s.input - 1].rows(b, b + 1);
      Tensor target = outputs[k].rows(b, b + 1);
      Rng rng = streams[k].child(static_cast<uint64_t>(index));
      s.node->transform().apply(source.values(), target.values(), rng);
    }
  });

  batch.ports.emplace_back(PortTable::kImage, images);
  batch.ports.emplace_back(PortTable::kLabel, labels);
  for (size_t k = 0; k < stages_.size(); ++k) batch.ports.emplace_back(stages_[k].node->output(), outputs[k]);
  return batch;
}

}  // namespace sslflow::engine
