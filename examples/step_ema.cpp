// ema_scheduler/step: a teacher momentum that switches from one value to another once a
// given fraction of the run has passed (a coarse stand-in for a warm-up of the teacher).
#include <sslflow/sdk.hpp>

namespace {

class Step final : public sslflow::EmaScheduler {
 public:
  static sslflow::Schema schema() {
    return {
        sslflow::Option("before", 0.99, "momentum before the switch; 0.99, a fast-moving teacher early on")
            .range(0.0, 1.0),
        sslflow::Option("after", 0.999, "momentum from the switch on; 0.999 as MoCo (He et al. 2020)").range(0.0, 1.0),
        sslflow::Option("at", 0.5, "fraction of the run at which momentum switches; 0.5, half way").range(0.0, 1.0),
    };
  }

  explicit Step(const sslflow::Params& params)
      : before_(params.get<double>("before")), after_(params.get<double>("after")), at_(params.get<double>("at")) {}

  double momentum(int64_t step, int64_t total_steps) const override {
    return double(step) < at_ * double(total_steps) ? before_ : after_;
  }

 private:
  double before_;
  double after_;
  double at_;
};

}  // namespace

SSLFLOW_PLUGIN("step-ema", "1.0.0") {
  registry.add<sslflow::EmaScheduler, Step>("step", "momentum switching from one value to another part-way through");
}
