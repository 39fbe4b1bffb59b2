// SHA-256 of a file's contents (OpenSSL's libcrypto), as the 64 lowercase hex digits
// that sha256sum prints. Throws FormatError naming the path when it cannot be read.
#pragma once

#include <string>

namespace sslflow::engine {

std::string sha256_of_file(const std::string& path);

}  // namespace sslflow::engine
