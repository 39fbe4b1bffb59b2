// The checks a plugin library's file must pass before it is handed to dlopen.
//
// dlopen maps a library's segments straight from the file, so a file cut short (a
// half-finished copy) makes the first touch of a missing page raise SIGBUS inside the
// dynamic loader, and a file for another machine fails with a message that does not say
// why. check_elf_file reads only the ELF header and the program headers, and accepts the
// file when:
//   - it starts with the ELF magic, is 64-bit, has this machine's byte order and
//     architecture, and is a shared object (ET_DYN) of ELF version 1;
//   - its program header table lies inside the file;
//   - every PT_LOAD and PT_DYNAMIC segment's bytes lie inside the file, and every loadable
//     segment's size in memory is at least its size in the file.
// Otherwise it throws PluginError naming the file and what was expected. The checks see
// the file as it is when they run; a file rewritten between them and dlopen is not covered.
#pragma once

#include <filesystem>

namespace sslflow {

void check_elf_file(const std::filesystem::path& path);

}  // namespace sslflow
