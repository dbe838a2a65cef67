#include "auth/text_input.hpp"

#include "util/utf8.hpp"

namespace agentbase::auth {

std::optional<std::string> TextInputProblem(std::string_view field, std::string_view value) {
  if (HasNulByte(value)) return std::string(field) + " must not contain NUL characters";
  if (!IsValidUtf8(value)) return std::string(field) + " must be valid UTF-8";
  return std::nullopt;
}

}  // namespace agentbase::auth
