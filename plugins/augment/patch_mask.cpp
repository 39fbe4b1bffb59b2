#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "primitives.hpp"
#include "sslflow/error.hpp"
#include "transforms.hpp"

namespace sslflow::augment {

namespace {

// Python's round(x) for x >= 0: to the nearest integer, a half to the even neighbour.
int64_t round_half_to_even(double x) {
  const double floor = std::floor(x);
  const double fraction = x - floor;
  const bool up = fraction > 0.5 || (fraction == 0.5 && std::fmod(floor, 2.0) != 0.0);
  return static_cast<int64_t>(up ? floor + 1.0 : floor);
}

}  // namespace

void sample_patch_mask(std::span<float> mask, int64_t count, Rng& rng) {
  std::vector<int64_t> order(mask.size());  // (T)
  std::iota(order.begin(), order.end(), int64_t{0});
  std::fill(mask.begin(), mask.end(), 0.0f);
  for (size_t i = 0; i < size_t(count); ++i) {
    std::swap(order[i], order[i + rng.below(order.size() - i)]);
    mask[size_t(order[i])] = 1.0f;
  }
}

Schema PatchMask::schema() {
  return {Option("patch", 7, "side of a square patch in pixels; must divide the image's height and width")
              .range(1, 1024),
          Option("ratio", 0.6, "fraction of the patches masked; 0.6 as data2vec's vision recipe").range(0.0, 1.0)};
}

Signature PatchMask::signature() {
  return {{{"input", PortType::Image, "the images whose patches are masked"}},
          {{"out", PortType::Mask, "one 0/1 value per patch, row-major; 1 marks a masked patch"}}};
}

PatchMask::PatchMask(const Params& params)
    : PatchMask(params.get<int64_t>("patch"), params.get<double>("ratio")) {}

PatchMask::PatchMask(int64_t patch, double ratio) : patch_(patch), ratio_(ratio) {}

Shape PatchMask::setup(const Shape& sample_shape, const NodeSetup&) {
  const ImageShape image = ImageShape::from(sample_shape, "patch_mask");
  if (image.height % patch_ != 0 || image.width % patch_ != 0)
    throw ShapeError("patch_mask: patch " + std::to_string(patch_) + " does not divide the image " +
                     sample_shape.str());
  in_numel_ = image.numel();
  tokens_ = (image.height / patch_) * (image.width / patch_);
  // int(round(N * mask_ratio)), as stable-pretraining's Data2Vec (methods/data2vec.py:155).
  masked_ = round_half_to_even(ratio_ * double(tokens_));
  return {tokens_};
}

void PatchMask::apply(std::span<const float> in, std::span<float> out, Rng& rng) const {
  check_sample("patch_mask", in, in_numel_, out, tokens_);
  sample_patch_mask(out, masked_, rng);
}

}  // namespace sslflow::augment
