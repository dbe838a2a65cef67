#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace agentbase {

// SHA-256 of the bytes: the 32 raw bytes, or as lower-case hex.
std::string Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
// Bytes as lower-case hexadecimal, two digits each.
std::string HexEncode(std::string_view bytes);
// One hex digit's value (either case), or -1.
int HexDigitValue(char c);
// The bytes hexadecimal text stands for (either case); nullopt for an odd
// length or a character that is no hex digit.
std::optional<std::string> HexDecode(std::string_view hex);

}  // namespace agentbase
