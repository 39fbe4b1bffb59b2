#include <catch2/catch.hpp>

#include "train/channel_stats.hpp"

using namespace sslflow;

namespace {

// n samples of shape (2, 2, 2): channel 0 is all 0 in even samples and all 1 in odd ones
// (mean 0.5, standard deviation 0.5 over the split), channel 1 is 0.25 everywhere (mean
// 0.25, standard deviation 0).
class TwoChannels final : public Dataset {
 public:
  explicit TwoChannels(int64_t n) : n_(n) {}
  void open() override {}
  int64_t size(Split) const override { return n_; }
  Shape sample_shape() const override { return Shape{2, 2, 2}; }
  int64_t num_classes() const override { return 0; }
  int64_t read(Split, int64_t index, std::span<float> out) const override {
    for (size_t p = 0; p < 4; ++p) {
      out[p] = index % 2 == 0 ? 0.0f : 1.0f;
      out[4 + p] = 0.25f;
    }
    return -1;
  }

 private:
  int64_t n_;
};

}  // namespace

TEST_CASE("Engine.channel_stats.mean_and_population_std_per_channel", "[engine]") {
  const int64_t n = 1000;  // several blocks of 256 and a partial one
  const engine::ChannelStats stats = engine::channel_stats(TwoChannels(n), Split::Train);
  REQUIRE(stats.samples == n);
  REQUIRE(stats.mean.size() == 2);
  CHECK(stats.mean[0] == Approx(0.5).margin(1e-12));
  CHECK(stats.std[0] == Approx(0.5).margin(1e-12));
  CHECK(stats.mean[1] == Approx(0.25).margin(1e-12));
  CHECK(stats.std[1] == Approx(0.0).margin(1e-6));
}

TEST_CASE("Engine.channel_stats.an_empty_split_is_an_error", "[engine]") {
  CHECK_THROWS_WITH(engine::channel_stats(TwoChannels(0), Split::Test), Catch::Contains("0 samples"));
}
