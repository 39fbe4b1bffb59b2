#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "op_test_inputs.hpp"
#include "sslflow/error.hpp"
#include "sslflow/nn/mlp.hpp"
#include "sslflow/ops.hpp"
#include "sslflow/testing/gradcheck.hpp"

using namespace sslflow;

namespace {

std::vector<std::string> state_names(const Module& m) {
  std::vector<std::string> names;
  for (const auto& [name, _] : m.state_dict()) names.push_back(name);
  return names;
}

}  // namespace

TEST_CASE("NN.Mlp.names_follow_torch_sequential", "[sdk]") {
  Rng rng(0, "mlp");
  const nn::Mlp projector(nn::MlpLayout::uniform(4, 8, 3, 3, true, true), nn::HeadInit::PyTorch, rng);
  // Linear(4, 8, bias=False), BatchNorm1d(8), ReLU, Linear(8, 8, bias=False), BatchNorm1d(8),
  // ReLU, Linear(8, 3, bias=False), BatchNorm1d(3, affine=False): SimSiam's projector.
  REQUIRE(state_names(projector) ==
          std::vector<std::string>{"0.weight", "1.weight", "1.bias", "3.weight", "4.weight", "4.bias", "6.weight",
                                   "1.running_mean", "1.running_var", "1.num_batches_tracked", "4.running_mean",
                                   "4.running_var", "4.num_batches_tracked", "7.running_mean", "7.running_var",
                                   "7.num_batches_tracked"});
  REQUIRE(projector.size() == 8);
  const nn::Mlp plain(nn::MlpLayout{{4, 5, 2}, false, false}, nn::HeadInit::PyTorch, rng);
  REQUIRE(state_names(plain) == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
}

TEST_CASE("NN.Mlp.kaiming_init_zeroes_the_biases", "[sdk]") {
  Rng rng(1, "mlp");
  nn::Mlp head(nn::MlpLayout{{16, 32, 8}, false, false}, nn::HeadInit::Kaiming, rng);
  for (const auto& [name, value] : head.state_dict())
    if (name.ends_with("bias"))
      for (float b : value.values()) REQUIRE(b == 0.0f);
  REQUIRE_THROWS_AS(nn::Mlp(nn::MlpLayout{{16}, false, false}, nn::HeadInit::PyTorch, rng), OptionError);
  REQUIRE_THROWS_WITH(nn::Mlp(nn::MlpLayout{{16, 0}, false, false}, nn::HeadInit::PyTorch, rng),
                      "mlp: every width must be at least 1, got 0");
}

TEST_CASE("NN.Sequential.fused_relu_matches_a_separate_one", "[sdk]") {
  Rng rng_a(2, "seq"), rng_b(2, "seq");
  nn::Sequential fused, separate;
  fused.add(std::make_shared<nn::Linear>(6, 4, rng_a));
  fused.add(std::make_shared<nn::BatchNorm>(4));
  fused.add_relu();
  separate.add(std::make_shared<nn::Linear>(6, 4, rng_b));
  separate.add(std::make_shared<nn::BatchNorm>(4));
  separate.add([](const Var& x) { return relu(x); });
  REQUIRE(fused.size() == 3);
  REQUIRE(state_names(fused) == state_names(separate));
  const Tensor x = test_inputs::uniform(Shape{5, 6}, "seq.x");
  Var a = fused.forward(Var(x));
  Var b = separate.forward(Var(x));
  test_inputs::require_close(a.value(), b.value(), 1e-6f);
  sum(a).backward();
  sum(b).backward();
  const auto pa = fused.named_parameters(), pb = separate.named_parameters();
  for (size_t i = 0; i < pa.size(); ++i) test_inputs::require_close(pa[i].second.grad(), pb[i].second.grad(), 1e-5f);
}

TEST_CASE("NN.Mlp.gradcheck_through_the_head", "[grad]") {
  Rng rng(3, "mlp");
  auto head = std::make_shared<nn::Mlp>(nn::MlpLayout{{5, 7, 3}, true, true}, nn::HeadInit::PyTorch, rng);
  const auto r = testing::gradcheck([&](const std::vector<Var>& in) { return head->forward(in[0]); },
                                    {test_inputs::param(Shape{6, 5}, "mlp.x")});
  INFO(r.report);
  REQUIRE(r.ok);
}
