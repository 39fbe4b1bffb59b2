#include "channels_last.hpp"

namespace sslflow::data {

bool looks_channels_last(const std::vector<int64_t>& shape) {
  if (shape.size() != 4) return false;
  const int64_t last = shape[3];
  return (last == 1 || last == 3 || last == 4) && shape[1] > last;
}

}  // namespace sslflow::data
