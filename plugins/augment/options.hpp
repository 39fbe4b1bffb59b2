// Options that several transforms share (the standalone primitive and the `augment`
// composite), declared once, and readers for their values.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "color.hpp"
#include "image.hpp"
#include "sslflow/params.hpp"

namespace sslflow::augment {

Option size_option();
Option scale_option(std::string name);
Option ratio_option();
Option strength_option(std::string name);
Option saturation_option(std::string name);
Option hue_option(std::string name);
Option sigma_option(std::string name);
Option kernel_option(std::string name);
Option noise_option(std::string name, double default_value);
Option mean_option(std::vector<double> default_value, const std::string& default_doc);
Option std_option(std::vector<double> default_value, const std::string& default_doc);

// A [low, high] list option; throws OptionError naming the owner when low > high.
Interval read_interval(const Params& params, const std::string& name);

// The static check of a plugin whose `names` are [low, high] options: each has low <= high.
void check_intervals(const Params& params, std::initializer_list<const char*> names);
std::vector<float> read_floats(const Params& params, const std::string& name);

// Brightness and contrast from the option `brightness_and_contrast`, saturation and hue
// from the options of those names.
JitterStrengths read_jitter_strengths(const Params& params, const std::string& brightness_and_contrast);

// Throws OptionError naming the option unless the kernel option `name` is 0 or odd.
void check_kernel_option(const Params& params, const std::string& name);

}  // namespace sslflow::augment
