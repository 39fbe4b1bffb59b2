#include <string>
#include <vector>

#include "losses.hpp"
#include "sslflow/error.hpp"

namespace sslflow::losses {

namespace {

// Where each anchor's logits lie in the flattened (2N, 2N) similarity matrix: row i's
// positive (i + N) mod 2N first, then every other sample but i itself, in order.
std::vector<int64_t> logit_positions(int64_t pairs) {
  const int64_t samples = 2 * pairs;
  std::vector<int64_t> positions;  // (2N * (2N - 1))
  positions.reserve(static_cast<size_t>(samples * (samples - 1)));
  for (int64_t i = 0; i < samples; ++i) {
    const int64_t positive = (i + pairs) % samples;
    positions.push_back(i * samples + positive);
    for (int64_t j = 0; j < samples; ++j)
      if (j != i && j != positive) positions.push_back(i * samples + j);
  }
  return positions;
}

}  // namespace

Schema NtXent::schema() {
  return {Option("temperature", 0.5,
                 "divides the cosine similarities; 0.5 as SimCLR's CIFAR-10 experiments and lightly's NTXentLoss")
              .positive()};
}

NtXent::NtXent(const Params& params) : temperature_(params.get<float>("temperature")) {}

Var NtXent::operator()(const Var& z1, const Var& z2) const {
  if (z1.rank() != 2 || !(z2.shape() == z1.shape()))
    throw ShapeError("loss/nt_xent: needs the two views' projections as one shape (N, D), got " + z1.shape().str() +
                     " and " + z2.shape().str());
  const int64_t pairs = z1.dim(0);
  if (pairs < 2)
    throw ShapeError("loss/nt_xent: needs at least 2 pairs, so that every anchor has a negative, got " +
                     z1.shape().str() + " and " + z2.shape().str());
  const int64_t samples = 2 * pairs;
  const Var z = l2_normalize(concat({z1, z2}, 0));                 // (2N, D)
  const Var similarity = mul(linear(z, z), 1.0f / temperature_);   // (2N, 2N): z z^T / T
  const Var flat = reshape(similarity, Shape{samples * samples});  // (4N^2)
  const Var logits =
      reshape(index_select(flat, 0, logit_positions(pairs)), Shape{samples, samples - 1});  // (2N, 2N - 1)
  return cross_entropy(logits, std::vector<int64_t>(static_cast<size_t>(samples), 0));
}

}  // namespace sslflow::losses
