#include "plugin/elf_check.hpp"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "sslflow/error.hpp"

namespace sslflow {

namespace {

#if defined(__x86_64__)
constexpr Elf64_Half kMachine = EM_X86_64;
constexpr const char* kMachineName = "x86-64";
#elif defined(__aarch64__)
constexpr Elf64_Half kMachine = EM_AARCH64;
constexpr const char* kMachineName = "AArch64";
#else
#error "check_elf_file knows the ELF machine of x86-64 and AArch64 only"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr unsigned char kByteOrder = ELFDATA2LSB;
#else
constexpr unsigned char kByteOrder = ELFDATA2MSB;
#endif

// `bytes` bytes at `offset` of the file, or fewer when the file ends first.
std::vector<char> read_at(std::ifstream& file, uint64_t offset, size_t bytes) {
  std::vector<char> data(bytes);
  file.seekg(static_cast<std::streamoff>(offset));
  file.read(data.data(), static_cast<std::streamsize>(bytes));
  data.resize(file ? bytes : static_cast<size_t>(file.gcount()));
  file.clear();
  return data;
}

// Whether [offset, offset + size) lies inside a file of `file_size` bytes, without overflow.
bool fits(uint64_t offset, uint64_t size, uint64_t file_size) { return offset <= file_size && size <= file_size - offset; }

std::string segment_name(Elf64_Word type) { return type == PT_LOAD ? "loadable segment" : "dynamic segment"; }

}  // namespace

void check_elf_file(const std::filesystem::path& path) {
  const std::string library = path.string();
  auto refuse = [&](const std::string& why) { throw PluginError(library, "not a loadable plugin library: " + why); };
  std::error_code ec;
  const uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) throw PluginError(library, "cannot open the plugin library: " + ec.message());
  std::ifstream file(path, std::ios::binary);
  if (!file) throw PluginError(library, "cannot open the plugin library: " + std::string(std::strerror(errno)));

  const std::vector<char> header = read_at(file, 0, sizeof(Elf64_Ehdr));
  if (header.size() < SELFMAG || std::memcmp(header.data(), ELFMAG, SELFMAG) != 0)
    refuse("expected an ELF file, which starts with the bytes 7f 45 4c 46");
  if (header.size() < sizeof(Elf64_Ehdr))
    refuse("the file ends inside its ELF header (" + std::to_string(file_size) + " bytes); is it a partial copy?");
  Elf64_Ehdr ehdr;
  std::memcpy(&ehdr, header.data(), sizeof ehdr);
  if (ehdr.e_ident[EI_CLASS] != ELFCLASS64) refuse("expected a 64-bit ELF file");
  if (ehdr.e_ident[EI_DATA] != kByteOrder) refuse("expected this machine's byte order");
  if (ehdr.e_ident[EI_VERSION] != EV_CURRENT || ehdr.e_version != EV_CURRENT) refuse("expected ELF version 1");
  if (ehdr.e_machine != kMachine)
    refuse("built for ELF machine " + std::to_string(ehdr.e_machine) + ", expected " + kMachineName + " (" +
           std::to_string(kMachine) + ")");
  if (ehdr.e_type != ET_DYN) refuse("expected a shared object (ELF type ET_DYN), found type " + std::to_string(ehdr.e_type));
  if (ehdr.e_phentsize != sizeof(Elf64_Phdr) || ehdr.e_phnum == 0)
    refuse("expected program headers of " + std::to_string(sizeof(Elf64_Phdr)) + " bytes each");

  const uint64_t table_size = uint64_t{ehdr.e_phnum} * sizeof(Elf64_Phdr);
  if (!fits(ehdr.e_phoff, table_size, file_size))
    refuse("its program headers end past the end of the file (" + std::to_string(file_size) +
           " bytes); is it a partial copy?");
  const std::vector<char> table = read_at(file, ehdr.e_phoff, table_size);
  if (table.size() != table_size) refuse("cannot read its program headers");
  for (size_t i = 0; i < ehdr.e_phnum; ++i) {
    Elf64_Phdr phdr;
    std::memcpy(&phdr, table.data() + i * sizeof phdr, sizeof phdr);
    if (phdr.p_type != PT_LOAD && phdr.p_type != PT_DYNAMIC) continue;
    if (!fits(phdr.p_offset, phdr.p_filesz, file_size))
      refuse("its " + segment_name(phdr.p_type) + " at offset " + std::to_string(phdr.p_offset) + " needs " +
             std::to_string(phdr.p_offset + phdr.p_filesz) + " bytes, but the file has " + std::to_string(file_size) +
             "; is it a partial copy?");
    if (phdr.p_type == PT_LOAD && phdr.p_memsz < phdr.p_filesz)
      refuse("its loadable segment at offset " + std::to_string(phdr.p_offset) + " is smaller in memory than in the file");
  }
}

}  // namespace sslflow
