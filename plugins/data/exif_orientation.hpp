// EXIF orientation: the tag (0x0112 in IFD0 of a JPEG's APP1 "Exif" segment) that says how
// a camera held the picture, and the transposition that shows it upright, as PIL's
// ImageOps.exif_transpose applies it.
//
// Orientation values 1..8: 1 as stored, 2 mirrored left-right, 3 rotated 180 degrees,
// 4 mirrored top-bottom, 5 transposed (mirrored across the main diagonal), 6 rotated 90
// degrees clockwise to show, 7 transversed (across the anti-diagonal), 8 rotated 90
// degrees counter-clockwise. Values 5 to 8 swap width and height.
// Threading: pure functions.
#pragma once

#include <cstdint>
#include <span>

#include "decoded_image.hpp"

namespace sslflow::data {

// The orientation tag of the JPEG file `jpeg`, or 1 when it has none. A malformed or
// truncated Exif segment, or a value outside 1..8, counts as none: it never throws.
int exif_orientation(std::span<const uint8_t> jpeg);

// `image` shown upright for `orientation` (1..8; others leave it as it is).
DecodedImage apply_orientation(const DecodedImage& image, int orientation);

// Whether `orientation` swaps width and height (5..8).
inline bool swaps_axes(int orientation) { return orientation >= 5 && orientation <= 8; }

}  // namespace sslflow::data
