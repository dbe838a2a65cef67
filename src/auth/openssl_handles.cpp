#include "auth/openssl_handles.hpp"

#include <openssl/err.h>

#include <array>

namespace agentbase::auth::ossl {

std::string DrainErrors() {
  unsigned long last = 0;
  while (unsigned long code = ERR_get_error()) last = code;
  if (last == 0) return {};
  std::array<char, 256> text{};
  ERR_error_string_n(last, text.data(), text.size());
  return text.data();
}

}  // namespace agentbase::auth::ossl
