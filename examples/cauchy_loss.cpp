// loss/cauchy: the Cauchy (Lorentzian) robust regression loss, the mean over elements of
//   rho(r) = c^2 / 2 * log(1 + (r / c)^2),  r = pred - target,
// quadratic for |r| << c and only logarithmic for |r| >> c, so outliers pull weakly.
#include <sslflow/sdk.hpp>

namespace {

class Cauchy final : public sslflow::Loss {
 public:
  static sslflow::Schema schema() {
    return {sslflow::Option("scale", 1.0,
                            "transition scale c between quadratic and logarithmic growth; 1.0 "
                            "as the unit-scale Cauchy loss (Black and Anandan 1996)")
                .positive()};
  }

  explicit Cauchy(const sslflow::Params& params) : scale_(params.get<double>("scale")) {}

  sslflow::Var operator()(const sslflow::Var& pred, const sslflow::Var& target) const override {
    if (!(pred.shape() == target.shape()))
      throw sslflow::ShapeError("loss/cauchy: pred " + pred.shape().str() + " and target " + target.shape().str() +
                                " differ in shape");
    const float c2 = float(scale_ * scale_);
    sslflow::Var r = pred - target;  // same shape as pred
    return sslflow::mean(sslflow::log(sslflow::square(r) * (1.0f / c2) + 1.0f)) * (c2 / 2.0f);
  }

 private:
  double scale_;
};

}  // namespace

SSLFLOW_PLUGIN("cauchy-loss", "1.0.0") {
  registry.add<sslflow::Loss, Cauchy>("cauchy", "Cauchy robust regression loss, mean of c^2/2 log(1 + (r/c)^2)");
}
