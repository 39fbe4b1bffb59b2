#include <catch2/catch.hpp>
#include <string>

#include "golden.hpp"
#include "sslflow/ops.hpp"

using namespace sslflow;
using golden::GoldenCase;

// logits (6, 5), labels (6) in [0, 5).
static void check_cross_entropy(const std::string& case_name, Reduction reduction) {
  const GoldenCase g("cross_entropy", case_name);
  Var logits = g.leaf("logits");
  Var out = cross_entropy(logits, g.labels("labels"), reduction);
  g.expect_output(out);
  g.backward(out);
  g.expect_grads({{"logits", logits}});
}

TEST_CASE("Golden.cross_entropy.mean", "[golden]") { check_cross_entropy("mean", Reduction::Mean); }

TEST_CASE("Golden.cross_entropy.none", "[golden]") { check_cross_entropy("none", Reduction::None); }
