#include <catch2/catch.hpp>
#include <string>

#include "golden.hpp"
#include "sslflow/ops.hpp"

using namespace sslflow;
using golden::GoldenCase;

static void check_cosine_similarity(const std::string& case_name, int dim) {
  const GoldenCase g("cosine_similarity", case_name);
  Var a = g.leaf("a"), b = g.leaf("b");
  Var out = cosine_similarity(a, b, dim);
  g.expect_output(out);
  g.backward(out);
  g.expect_grads({{"a", a}, {"b", b}});
}

TEST_CASE("Golden.cosine_similarity.dim_last", "[golden]") {
  check_cosine_similarity("dim_last", -1);
}  // (5, 8) -> (5)

TEST_CASE("Golden.cosine_similarity.dim1", "[golden]") { check_cosine_similarity("dim1", 1); }  // (3, 4, 2) -> (3, 2)
