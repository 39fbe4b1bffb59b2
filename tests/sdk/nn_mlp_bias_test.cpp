#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sslflow/nn/mlp.hpp"

using namespace sslflow;

namespace {

std::vector<std::string> parameter_names(const Module& m) {
  std::vector<std::string> names;
  for (const auto& [name, _] : m.named_parameters()) names.push_back(name);
  return names;
}

}  // namespace

TEST_CASE("NN.Mlp.bias_switches_give_the_vicreg_and_barlow_twins_projectors", "[sdk]") {
  Rng rng(0, "mlp");
  nn::MlpLayout vicreg = nn::MlpLayout::uniform(4, 6, 3, 3, true, false);
  vicreg.bias_before_norm = true;
  vicreg.output_bias = false;
  // VICReg's Projector: Linear, BatchNorm1d, ReLU twice, then Linear(bias=False).
  REQUIRE(parameter_names(nn::Mlp(vicreg, nn::HeadInit::PyTorch, rng)) ==
          std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias", "4.weight",
                                   "4.bias", "6.weight"});
  nn::MlpLayout barlow = nn::MlpLayout::uniform(4, 6, 3, 2, true, false);
  barlow.output_bias = false;
  // Barlow Twins' projector: Linear(bias=False), BatchNorm1d, ReLU, Linear(bias=False).
  REQUIRE(parameter_names(nn::Mlp(barlow, nn::HeadInit::PyTorch, rng)) ==
          std::vector<std::string>{"0.weight", "1.weight", "1.bias", "3.weight"});
  // The defaults keep the heads as before: no bias before a norm, a biased last layer.
  REQUIRE(parameter_names(nn::Mlp(nn::MlpLayout::uniform(4, 6, 3, 2, true, false), nn::HeadInit::PyTorch, rng)) ==
          std::vector<std::string>{"0.weight", "1.weight", "1.bias", "3.weight", "3.bias"});
}
