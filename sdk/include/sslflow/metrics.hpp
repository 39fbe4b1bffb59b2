// Metrics: named scalars a plugin reports (loss terms, collapse indicators, accuracies).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sslflow {

using Metrics = std::vector<std::pair<std::string, double>>;

}  // namespace sslflow
