#include "image_cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "decoded_image.hpp"
#include "sslflow/error.hpp"
#include "sslflow/io/atomic_file.hpp"

namespace sslflow::data {

namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'S', 'S', 'L', 'F', 'I', 'C', '0', '1'};
constexpr uint64_t kByteOrderMark = 1;
constexpr size_t kPixelAlignment = 64;

// A whole file mapped read-only, unmapped when the last sample that reads it is gone.
class MappedFile {
 public:
  // The mapping of `path`, or nullptr when it cannot be opened or mapped.
  static std::shared_ptr<const MappedFile> map(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    struct stat info {};
    void* data = MAP_FAILED;
    if (::fstat(fd, &info) == 0 && info.st_size > 0)
      data = ::mmap(nullptr, size_t(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);  // the mapping stays valid without the descriptor
    if (data == MAP_FAILED) return nullptr;
    return std::shared_ptr<const MappedFile>(new MappedFile(static_cast<const uint8_t*>(data), size_t(info.st_size)));
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() { ::munmap(const_cast<uint8_t*>(data_), size_); }

  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  const uint8_t* data_;
  size_t size_;
};

// Reads the fields of a mapped cache in order; each read fails (false) rather than run past the end.
class FieldReader {
 public:
  explicit FieldReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  bool read(void* out, size_t count) {
    if (count > bytes_.size() - at_) return false;
    if (count == 0) return true;  // an empty split's labels: `out` may be null
    std::memcpy(out, bytes_.data() + at_, count);
    at_ += count;
    return true;
  }
  template <class T>
  bool read(T& value) {
    return read(&value, sizeof(T));
  }
  bool skip_to_alignment() {
    at_ += (kPixelAlignment - at_ % kPixelAlignment) % kPixelAlignment;
    return at_ <= bytes_.size();
  }
  size_t offset() const { return at_; }
  size_t left() const { return bytes_.size() - at_; }

 private:
  std::span<const uint8_t> bytes_;
  size_t at_ = 0;
};

bool read_labels(FieldReader& reader, uint64_t count, std::vector<int64_t>& labels) {
  if (count > reader.left() / sizeof(int64_t)) return false;
  labels.resize(count);
  return reader.read(labels.data(), count * sizeof(int64_t));
}

}  // namespace

std::string image_cache_key(const std::string& options, const ImageList& train, const ImageList& test) {
  std::string key = options + "\n";
  for (const ImageList* list : {&train, &test}) {
    for (const std::string& file : list->files) {
      std::error_code size_error, time_error;
      const auto size = fs::file_size(file, size_error);
      const auto modified = fs::last_write_time(file, time_error);
      if (size_error || time_error)
        throw FormatError(file, "cannot be examined: " + (size_error ? size_error : time_error).message());
      key += file + "\t" + std::to_string(size) + "\t" + std::to_string(modified.time_since_epoch().count()) + "\n";
    }
    key += "--\n";  // between the splits
  }
  return key;
}

std::optional<CachedSplits> load_image_cache(const std::string& path, const std::string& key) {
  const std::shared_ptr<const MappedFile> file = MappedFile::map(path);
  if (!file) return std::nullopt;
  FieldReader reader(file->bytes());
  char magic[sizeof(kMagic)];
  uint64_t mark = 0, key_length = 0, c = 0, h = 0, w = 0, train_count = 0, test_count = 0;
  if (!reader.read(magic, sizeof(magic)) || std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) return std::nullopt;
  if (!reader.read(mark) || mark != kByteOrderMark || !reader.read(key_length) || key_length != key.size())
    return std::nullopt;
  std::string stored_key(key_length, '\0');
  if (!reader.read(stored_key.data(), key_length) || stored_key != key) return std::nullopt;
  if (!reader.read(c) || !reader.read(h) || !reader.read(w) || !reader.read(train_count) || !reader.read(test_count))
    return std::nullopt;
  if (c == 0 || c > 3 || h == 0 || w == 0 || h * w > uint64_t(kMaxImagePixels)) return std::nullopt;

  CachedSplits cached;
  cached.sample_shape = Shape{int64_t(c), int64_t(h), int64_t(w)};
  if (!read_labels(reader, train_count, cached.train.labels) || !read_labels(reader, test_count, cached.test.labels) ||
      !reader.skip_to_alignment())
    return std::nullopt;
  const uint64_t numel = c * h * w;
  if (train_count + test_count > reader.left() / numel || (train_count + test_count) * numel != reader.left())
    return std::nullopt;
  const std::span<const uint8_t> pixels = file->bytes().subspan(reader.offset());
  cached.train.mapped = pixels.first(train_count * numel);
  cached.test.mapped = pixels.subspan(train_count * numel);
  cached.train.count = int64_t(train_count);
  cached.test.count = int64_t(test_count);
  cached.train.keeper = cached.test.keeper = file;
  return cached;
}

void save_image_cache(const std::string& path, const std::string& key, const Shape& sample_shape,
                      const SplitSamples& train, const SplitSamples& test) {
  io::write_file_atomically(path, [&](std::ostream& out) {
    size_t written = 0;
    auto put = [&](const void* data, size_t count) {
      out.write(static_cast<const char*>(data), std::streamsize(count));
      written += count;
    };
    auto put_u64 = [&](uint64_t value) { put(&value, sizeof(value)); };
    put(kMagic, sizeof(kMagic));
    put_u64(kByteOrderMark);
    put_u64(key.size());
    put(key.data(), key.size());
    for (int64_t dim : sample_shape) put_u64(uint64_t(dim));
    put_u64(uint64_t(train.count));
    put_u64(uint64_t(test.count));
    put(train.labels.data(), train.labels.size() * sizeof(int64_t));
    put(test.labels.data(), test.labels.size() * sizeof(int64_t));
    const std::string padding((kPixelAlignment - written % kPixelAlignment) % kPixelAlignment, '\0');
    put(padding.data(), padding.size());
    put(train.bytes.data(), train.bytes.size());
    put(test.bytes.data(), test.bytes.size());
  });
}

}  // namespace sslflow::data
