#include <catch2/catch.hpp>

#include <cstdint>

#include "sslflow/error.hpp"
#include "sslflow/tensor.hpp"

using namespace sslflow;

TEST_CASE("Tensor.Shape.basics", "[sdk]") {
  Shape s{2, 3, 4};
  REQUIRE(s.rank() == 3);
  REQUIRE(s.numel() == 24);
  REQUIRE(s[-1] == 4);
  REQUIRE(s.str() == "[2, 3, 4]");
  REQUIRE(Shape{}.numel() == 1);
  REQUIRE_THROWS_AS(s[3], ShapeError);
  REQUIRE_THROWS_AS((Shape{1, 2, 3, 4, 5}), ShapeError);
  REQUIRE_THROWS_AS((Shape{2, -1}), ShapeError);
}

TEST_CASE("Tensor.Shape.element_count_fits_in_64_bits", "[sdk]") {
  const int64_t big = int64_t{1} << 31;
  REQUIRE((Shape{big, big}).numel() == int64_t{1} << 62);
  REQUIRE_THROWS_WITH((Shape{big, big, 2}), "shape [2147483648, 2147483648, 2] has more than 2^63 elements");
  REQUIRE((Shape{0, big, big, 2}).numel() == 0);
}

TEST_CASE("Tensor.storage.beyond_memory_is_a_shape_error", "[sdk]") {
  const Shape huge{int64_t{1} << 30, 1024};
  const std::string needs = "a tensor of shape [1073741824, 1024] needs 4096.0 GiB, more than the ";
  const std::string has = " GiB of memory this machine has";
  REQUIRE_THROWS_WITH(Tensor(huge), Catch::StartsWith(needs) && Catch::EndsWith(has));
  REQUIRE_THROWS_WITH(Tensor::uninitialized(huge), Catch::StartsWith(needs) && Catch::EndsWith(has));
  REQUIRE_THROWS_WITH(Tensor::full(huge, 1.0f), Catch::StartsWith(needs) && Catch::EndsWith(has));
}

TEST_CASE("Tensor.storage.aligned_and_zeroed", "[sdk]") {
  Tensor t(Shape{3, 5});
  REQUIRE(reinterpret_cast<std::uintptr_t>(t.data()) % 64 == 0);
  for (float x : t.values()) REQUIRE(x == 0.0f);
}

TEST_CASE("Tensor.views.share_storage", "[sdk]") {
  Tensor t(Shape{2, 3}, std::vector<float>{0, 1, 2, 3, 4, 5});
  Tensor r = t.reshape(Shape{3, 2});
  r.data()[0] = 9;
  REQUIRE(t.data()[0] == 9);
  Tensor row = t.rows(1, 2);
  REQUIRE(row.shape() == Shape{1, 3});
  REQUIRE(row.data()[0] == 3);
  Tensor c = t.clone();
  c.data()[1] = -1;
  REQUIRE(t.data()[1] == 1);
  REQUIRE_THROWS_AS(t.reshape(Shape{4}), ShapeError);
  REQUIRE_THROWS_AS(t.rows(1, 3), ShapeError);
}

TEST_CASE("Tensor.values.count_checked", "[sdk]") {
  REQUIRE_THROWS_AS(Tensor(Shape{2, 2}, std::vector<float>{1, 2, 3}), ShapeError);
  REQUIRE(Tensor::scalar(2.5f).item() == 2.5f);
  REQUIRE_THROWS_AS(Tensor(Shape{2}).item(), ShapeError);
}
