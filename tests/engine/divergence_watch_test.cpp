#include <catch2/catch.hpp>

#include <cmath>

#include "train/divergence_watch.hpp"

using sslflow::engine::DivergenceWatch;

TEST_CASE("Engine.divergence.a_falling_or_bounded_loss_is_quiet", "[engine]") {
  DivergenceWatch falling;
  for (int64_t step = 0; step < 200; ++step) CHECK_FALSE(falling.observe(step, 5.0 * std::exp(-0.05 * step), 0.1));
  DivergenceWatch cosine;  // SimSiam's loss: from 0 towards -1
  for (int64_t step = 0; step < 200; ++step) CHECK_FALSE(cosine.observe(step, -std::min(1.0, 0.01 * step), 0.1));
}

TEST_CASE("Engine.divergence.each_order_of_magnitude_is_named_once", "[engine]") {
  DivergenceWatch watch;
  for (int64_t step = 0; step < DivergenceWatch::kWarmupSteps; ++step) CHECK_FALSE(watch.observe(step, 2.0, 1e4));
  CHECK_FALSE(watch.observe(5, 150.0, 1e4));  // 75x
  const auto first = watch.observe(6, 250.0, 1e4);  // 125x
  REQUIRE(first);
  CHECK_THAT(*first, Catch::StartsWith("warning: step 7: the loss is 250, 100x its scale") &&
                         Catch::Contains("at lr 1e+04") && Catch::Contains("train.optimizer.lr"));
  CHECK_FALSE(watch.observe(7, 1900.0, 1e4));
  const auto jump = watch.observe(8, 3.0e5, 1e4);  // 150000x: one warning, at its order
  REQUIRE(jump);
  CHECK_THAT(*jump, Catch::Contains("step 9:") && Catch::Contains("100000x"));
  CHECK_FALSE(watch.observe(9, 3.5e5, 1e4));
}

TEST_CASE("Engine.divergence.a_loss_starting_at_zero_has_a_floor", "[engine]") {
  DivergenceWatch watch;
  for (int64_t step = 0; step < DivergenceWatch::kWarmupSteps; ++step) CHECK_FALSE(watch.observe(step, 0.0, 0.1));
  CHECK_FALSE(watch.observe(5, -1.0, 0.1));  // a cosine loss reaching its bound
  CHECK(watch.observe(6, 15.0, 0.1));
}
