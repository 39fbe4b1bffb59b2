// The decoded-image cache of dataset/image_folder: both splits' uint8 pixels and labels in
// one file beside the images, memory-mapped by a later run that finds it current.
//
// A cache is current when its key matches: the options that shape the samples and every
// listed image's path, size in bytes and modification time. Changing, adding or removing
// an image, or an option, makes the next open() decode again and rewrite the file. It is
// written atomically (sslflow/io/atomic_file.hpp): a crash never leaves half a cache.
// Layout, in the machine's byte order: "SSLFIC01", u64 1 (the byte-order mark), u64 key
// length, the key, u64 C, H, W, u64 train and test counts, i64 labels (train then test,
// -1 unlabelled), zeros to a multiple of 64 bytes, then train and test pixels (N, C, H, W).
// Errors: load_image_cache never throws for a missing, stale or malformed cache (it
// returns nothing, and the images are decoded); image_cache_key throws FormatError naming
// an image that cannot be examined; save_image_cache FormatError naming the cache file.
// Threading: independent calls may run concurrently; a mapped cache is read-only.
#pragma once

#include <optional>
#include <string>

#include "image_folder_layout.hpp"
#include "in_memory_dataset.hpp"

namespace sslflow::data {

struct CachedSplits {
  Shape sample_shape;
  SplitSamples train, test;  // pixels mapped from the file
};

// `options` describes how samples are made (size, channels, ...), as text.
std::string image_cache_key(const std::string& options, const ImageList& train, const ImageList& test);
std::optional<CachedSplits> load_image_cache(const std::string& path, const std::string& key);
void save_image_cache(const std::string& path, const std::string& key, const Shape& sample_shape,
                      const SplitSamples& train, const SplitSamples& test);

}  // namespace sslflow::data
