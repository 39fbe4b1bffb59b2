#include "train/peak_memory.hpp"

#include <sys/resource.h>

namespace sslflow::engine {

double peak_resident_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux counts ru_maxrss in KiB
}

}  // namespace sslflow::engine
