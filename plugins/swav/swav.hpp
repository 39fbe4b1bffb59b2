// SwAV (Caron et al. 2020, "Unsupervised Learning of Visual Features by Contrasting Cluster
// Assignments"), kind method.
//
// Every crop's features pass through one projection head and are normalised, z = normalize(
// g(x)), then scored against K prototypes c_k of unit length, s = z C^T. For each of the two
// crops used for assignment (the first two of `input`, the global crops), the codes q of
// its scores (Sinkhorn-Knopp, sinkhorn.hpp, without gradient) are predicted from every
// other crop's scores (the "swapped" prediction):
//
//   L = 1/2 sum_{i in {0, 1}} 1/(V - 1) sum_{v != i} mean_b [ -sum_k q_i log softmax(s_v / T) ]
//
// as the official code (facebookresearch/swav, main_swav.py, train: crops_for_assign [0, 1],
// nmb_crops summed to V; in one process). The prototypes are normalised in place before
// each step (main_swav.py: prototypes.weight.copy_(normalize(w))), receive no gradient for
// the first freeze_prototypes_steps steps (p.grad = None below freeze_prototypes_niters),
// and with `queue` > 0, from epoch queue_start_epoch on (epoch_queue_starts), the codes of
// each assignment crop are computed over its batch and the last `queue` embeddings of that
// crop, once the queue is full (queue[i, -1] non-zero), the queue then shifting in the
// batch's embeddings.
//
// Head, as the official resnet50.py: Linear(F, proj_hidden) with its bias, BatchNorm1d,
// ReLU, Linear(proj_hidden, proj_dim) ("projector.0.*", "projector.1.*", "projector.3.*";
// proj_hidden 0: one Linear); as there, it runs once over every crop's features together
// (one batch norm over all crops), and the prototypes "prototypes.weight" (K, proj_dim)
// are a Linear without bias, nn.Linear's initialisation. The queue, when used, is the
// buffer "queue" (2, queue, proj_dim), zeros until filled, in every checkpoint.
//
// Ports: `input`, the features (B, F) of every crop, at least two, the two assignment crops
// first (`inputs: [backbone.0, backbone.1, backbone.2, ...]`); fewer fail in setup() with
// GraphError, features of another shape with ShapeError, each naming the method.
// Metrics: collapse_std and z_std_ratio of the first crop's embedding
// (sslflow/collapse_metrics.hpp) and prototypes_used, how many prototypes are the largest
// code of some sample of the first crop.
// Threading: forward() and the step hooks are called from one task at a time.
#pragma once

#include <cstdint>
#include <memory>

#include "sslflow/interfaces/method.hpp"
#include "sslflow/nn/linear.hpp"
#include "sslflow/nn/mlp.hpp"
#include "sslflow/params.hpp"

namespace sslflow::swav {

class Swav final : public Method {
 public:
  static Schema schema();
  static Signature signature();
  explicit Swav(const Params& params);

  void setup(const InputShapes& shapes, const NodeSetup& context) override;
  StepOutput forward(const MethodInputs& inputs) override;

 protected:
  // Normalises the prototypes and notes the step, which decides the freeze and the queue.
  void on_begin_step(int64_t step, int64_t total_steps) override;

 private:
  // The codes (B, K) of assignment crop `crop` from its scores (B, K) and, once the queue
  // is in use, the queue's; shifts the crop's embeddings z (B, D) into the queue.
  Tensor codes(int crop, const Tensor& scores, const Tensor& z);

  int64_t proj_hidden_;
  int64_t proj_dim_;
  int64_t prototype_count_;
  float temperature_;
  double epsilon_;
  int sinkhorn_iterations_;
  int64_t freeze_prototypes_steps_;
  int64_t queue_length_;
  int64_t queue_start_epoch_;

  int64_t feature_dim_ = 0;
  int64_t steps_per_epoch_ = 1;
  int64_t step_ = 0;  // the step about to run
  std::shared_ptr<nn::Mlp> projector_;
  std::shared_ptr<nn::Linear> prototypes_;
  Tensor queue_;  // (2, queue, D); undefined without a queue
};

}  // namespace sslflow::swav
