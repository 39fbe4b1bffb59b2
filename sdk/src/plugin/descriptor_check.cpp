#include "plugin/descriptor_check.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "sslflow/error.hpp"
#include "sslflow/version.hpp"

namespace sslflow {

namespace {

// One PT_LOAD segment as mapped: [begin, end) and its PF_R / PF_X flags.
struct Segment {
  uintptr_t begin;
  uintptr_t end;
  Elf64_Word flags;
};

// The loadable segments the dynamic loader mapped for the library behind `handle`.
std::vector<Segment> mapped_segments(void* handle) {
  struct Search {
    const link_map* map;
    std::vector<Segment> segments;
  } search{nullptr, {}};
  link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map) return {};
  search.map = map;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto& s = *static_cast<Search*>(data);
        if (info->dlpi_addr != s.map->l_addr || std::strcmp(info->dlpi_name, s.map->l_name) != 0) return 0;
        for (size_t i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& phdr = info->dlpi_phdr[i];
          if (phdr.p_type == PT_LOAD)
            s.segments.push_back({info->dlpi_addr + phdr.p_vaddr, info->dlpi_addr + phdr.p_vaddr + phdr.p_memsz,
                                  phdr.p_flags});
        }
        return 1;
      },
      &search);
  return search.segments;
}

// The segment holding all of [address, address + size) with all of `flags`, if any.
const Segment* segment_of(const std::vector<Segment>& segments, const void* address, size_t size, Elf64_Word flags) {
  const auto begin = reinterpret_cast<uintptr_t>(address);
  for (const Segment& s : segments)
    if (begin >= s.begin && begin < s.end && size <= s.end - begin && (s.flags & flags) == flags) return &s;
  return nullptr;
}

std::string hex_byte(unsigned char byte) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", byte);
  return text;
}

// The string at `text`, checked against the library's segments; `field` names it in errors.
std::string checked_string(const char* text, const char* field, const std::vector<Segment>& segments,
                           const std::string& library) {
  const std::string where = std::string("its descriptor's ") + field + " string ";
  const Segment* segment = text ? segment_of(segments, text, 1, PF_R) : nullptr;
  if (!segment) throw PluginError(library, where + "does not point into the library's readable segments");
  const size_t room = std::min<size_t>(kMaxDescriptorString, segment->end - reinterpret_cast<uintptr_t>(text));
  const size_t length = strnlen(text, room);
  if (length == room)
    throw PluginError(library, where + "does not end within " + std::to_string(room) + " bytes");
  for (size_t i = 0; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte > 0x7e)
      throw PluginError(library, where + "is not printable ASCII: byte " + hex_byte(byte) + " at offset " +
                                     std::to_string(i));
  }
  return std::string(text, length);
}

std::string sdk_version(uint32_t major, uint32_t minor) { return std::to_string(major) + "." + std::to_string(minor); }

std::vector<std::string> split_parts(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find("; ", start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + 2;
  }
}

// Refuses a descriptor built for another plugin ABI, sdk or C++ runtime.
void check_versions(const PluginDescriptor& d, const std::vector<Segment>& segments, const std::string& library) {
  if (d.sdk_version_major != SSLFLOW_VERSION_MAJOR || d.sdk_version_minor != SSLFLOW_VERSION_MINOR)
    throw PluginError(library, "built against sdk " + sdk_version(d.sdk_version_major, d.sdk_version_minor) +
                                   ", but this sslflow's sdk is " +
                                   sdk_version(SSLFLOW_VERSION_MAJOR, SSLFLOW_VERSION_MINOR) +
                                   "; rebuild the plugin against this sdk");
  const std::string compiler = checked_string(d.compiler, "compiler", segments, library);
  const std::string difference = cxx_abi_difference(checked_string(d.cxx_abi, "cxx_abi", segments, library), SSLFLOW_CXX_ABI);
  if (!difference.empty())
    throw PluginError(library, "built with another C++ ABI (" + difference + "; compiler " + compiler +
                                   " there, " + SSLFLOW_COMPILER + " here); rebuild the plugin with this sslflow's compiler");
}

}  // namespace

std::string cxx_abi_difference(const std::string& theirs, const std::string& ours) {
  const std::vector<std::string> their_parts = split_parts(theirs), our_parts = split_parts(ours);
  std::string difference;
  for (size_t i = 0; i < std::max(their_parts.size(), our_parts.size()); ++i) {
    const std::string there = i < their_parts.size() ? their_parts[i] : "nothing";
    const std::string here = i < our_parts.size() ? our_parts[i] : "nothing";
    if (there != here) difference += (difference.empty() ? "" : ", ") + here + " here, " + there + " in the library";
  }
  return difference;
}

const PluginDescriptor* read_descriptor(void* handle, const std::string& library) {
  void* symbol = dlsym(handle, kDescriptorSymbol);
  if (!symbol) return nullptr;
  const std::vector<Segment> segments = mapped_segments(handle);
  if (segments.empty()) throw PluginError(library, "cannot find the segments the dynamic loader mapped for it");
  // dlsym also searches the libraries this one links; a descriptor of another is not its own.
  if (!segment_of(segments, symbol, 1, 0)) return nullptr;

  Dl_info info;
  ElfW(Sym)* entry = nullptr;
  if (!dladdr1(symbol, &info, reinterpret_cast<void**>(&entry), RTLD_DL_SYMENT) || !entry)
    throw PluginError(library, std::string("cannot find the symbol table entry of ") + kDescriptorSymbol);
  const std::string name = kDescriptorSymbol;
  if (ELF64_ST_TYPE(entry->st_info) == STT_FUNC)
    throw PluginError(library, "exports " + name + " as a function, the form of plugin ABI version 1, but this "
                                   "sslflow loads ABI version " + std::to_string(kAbiVersion) +
                                   " (a data object); rebuild the plugin against this sdk");
  if (ELF64_ST_TYPE(entry->st_info) != STT_OBJECT || entry->st_size < sizeof(uint32_t) ||
      !segment_of(segments, symbol, entry->st_size, PF_R))
    throw PluginError(library, "exports " + name + ", but not as a data object in a readable segment of the library");

  uint32_t abi_version;
  std::memcpy(&abi_version, symbol, sizeof abi_version);
  if (abi_version != kAbiVersion)
    throw PluginError(library, "built for plugin ABI version " + std::to_string(abi_version) +
                                   ", but this sslflow loads ABI version " + std::to_string(kAbiVersion) +
                                   "; rebuild the plugin against this sdk");
  if (entry->st_size != sizeof(PluginDescriptor))
    throw PluginError(library, "its " + name + " is " + std::to_string(entry->st_size) + " bytes, but a plugin ABI " +
                                   std::to_string(kAbiVersion) + " descriptor is " +
                                   std::to_string(sizeof(PluginDescriptor)) + " bytes");
  const auto* descriptor = static_cast<const PluginDescriptor*>(symbol);
  check_versions(*descriptor, segments, library);
  checked_string(descriptor->name, "name", segments, library);
  checked_string(descriptor->version, "version", segments, library);
  if (!segment_of(segments, reinterpret_cast<const void*>(descriptor->register_all), 1, PF_X))
    throw PluginError(library, "its descriptor's register_all does not point into the library's executable segments");
  return descriptor;
}

}  // namespace sslflow
