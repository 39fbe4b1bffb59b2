// SHA-256 (OpenSSL's libcrypto) of a file's contents or of a text, as the 64 lowercase hex
// digits that sha256sum prints. sha256_of_file throws FormatError naming the path when it
// cannot be read.
#pragma once

#include <string>
#include <string_view>

namespace sslflow::engine {

std::string sha256_of_file(const std::string& path);
std::string sha256_of_text(std::string_view text);

}  // namespace sslflow::engine
