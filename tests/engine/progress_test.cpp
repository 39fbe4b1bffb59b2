#include <catch2/catch.hpp>

#include <sstream>

#include "train/progress.hpp"

using sslflow::engine::Progress;

TEST_CASE("Engine.progress.eta_counts_the_recent_steps_only", "[engine]") {
  // A resumed run of 100 steps at step 90: 10 steps left at the recent 2 s a step, whatever
  // the process spent before (an evaluation, the steps before the resume).
  Progress progress(nullptr, false, 64, 1);
  progress.plan(100, 10);
  for (int64_t step = 80; step < 90; ++step) progress.step(step, 1.0, 2.0);
  CHECK_THAT(progress.step_line(89, 1.0, false), Catch::Contains("ETA 0m20s"));
  CHECK_THAT(progress.step_line(89, 1.0, false), Catch::Contains("step 90/100") && Catch::Contains("epoch 9/10") &&
                                                     Catch::Contains(" 90%") && Catch::Contains("32 img/s"));
  // A slower stretch moves the estimate towards the new rate within a few steps.
  for (int64_t step = 90; step < 95; ++step) progress.step(step, 1.0, 6.0);
  const std::string line = progress.step_line(94, 1.0, false);
  const double eta_seconds = 5 * (2.0 + (6.0 - 2.0) * (1 - 0.9 * 0.9 * 0.9 * 0.9 * 0.9));
  CHECK_THAT(line, Catch::Contains("ETA " + sslflow::engine::duration_text(eta_seconds)));
  CHECK(progress.last_step_seconds() == 6.0);
}

TEST_CASE("Engine.progress.plain_lines_away_from_a_terminal", "[engine]") {
  std::ostringstream out;
  Progress progress(&out, false, 10, 2);
  progress.phase("opening the data (idx)");
  progress.count(5, 10);  // counts are for a terminal only
  progress.end_phase();
  progress.plan(4, 2);
  for (int64_t step = 0; step < 4; ++step) progress.step(step, 0.5, 1.0);
  const std::string text = out.str();
  CHECK(text.find('\r') == std::string::npos);
  CHECK(text.find('[') == std::string::npos);
  CHECK_THAT(text, Catch::StartsWith("opening the data (idx)\n"));
  CHECK_THAT(text, !Catch::Contains("step 1/4") && Catch::Contains("step 2/4") && !Catch::Contains("step 3/4") &&
                       Catch::Contains("step 4/4"));
  CHECK_THAT(text, Catch::Contains("took 0m04s"));
}

TEST_CASE("Engine.progress.one_redrawn_line_on_a_terminal", "[engine]") {
  std::ostringstream out;
  Progress progress(&out, true, 10, 100);
  progress.phase("encoding the images with node 'backbone'");
  progress.count(512, 2048);
  CHECK_THAT(out.str(), Catch::EndsWith("\r\033[Kencoding the images with node 'backbone'  512/2048 (25%)"));
  progress.message("before training: knn.untrained.top1 0.8");
  CHECK_THAT(out.str(), Catch::EndsWith("(25%)\r\033[Kbefore training: knn.untrained.top1 0.8\n"));
  progress.plan(2, 2);
  progress.step(0, 0.5, 1.0);
  CHECK_THAT(out.str(), Catch::EndsWith("\r\033[K[############............]  50%  epoch 1/1  step 1/2  loss 0.5000  10 img/s  "
                                        "ETA 0m01s"));
  progress.step(1, 0.25, 1.0);
  CHECK_THAT(out.str(), Catch::EndsWith("[########################] 100%  epoch 1/1  step 2/2  loss 0.2500  10 img/s  "
                                        "took 0m02s\n"));
}
