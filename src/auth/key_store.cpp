#include "auth/key_store.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "auth/claims.hpp"
#include "auth/jwt.hpp"
#include "http/client.hpp"
#include "util/text.hpp"

namespace agentbase::auth {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* kSecretFile = "jwt-secret";
constexpr const char* kSigningKeyFile = "signing-key.pem";
// 48 random bytes: 64 base64url characters, well over the 32 HS256 needs.
constexpr std::size_t kGeneratedSecretBytes = 48;

Error IoError(const std::string& what, const fs::path& path, int error_number) {
  return Error::Usage("cannot " + what + " " + path.string() + ": " + std::strerror(error_number), "io");
}

Error ConfigError(std::string message) { return Error::Usage(std::move(message), "config"); }

// nullopt when the file does not exist.
Result<std::optional<std::string>> ReadIfExists(const fs::path& path, bool secret) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return IoError("read", path, errno);
  }
  struct stat info {};
  if (secret && ::fstat(fd, &info) == 0 && (info.st_mode & 077) != 0) {
    // Not fatal (the operator may have reasons), but a key others can read
    // lets them mint tokens for any user.
    spdlog::warn("{} is readable by other users (mode {:o}); chmod 600 it", path.string(), info.st_mode & 0777);
  }
  std::string content;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      return IoError("read", path, saved);
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(content));
}

// Writes `content` to `path` with mode 0600 unless the file exists. The
// content goes to a private temporary file first and is then hard-linked into
// place, so the file never appears half-written, and of two processes
// creating it at once exactly one wins (the other reads the winner's key
// afterwards instead of overwriting it).
Status CreateExclusive(const fs::path& path, std::string_view content) {
  fs::path temporary = path;
  temporary += ".tmp-" + std::to_string(::getpid()) + "-" + RandomBase64Url(6);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("create", temporary, errno);
  bool ok = true;
  std::size_t written = 0;
  while (ok && written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
    } else {
      written += static_cast<std::size_t>(n);
    }
  }
  int saved = errno;
  ok = ok && ::fsync(fd) == 0;
  if (!ok) saved = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    ::unlink(temporary.c_str());
    return IoError("write", temporary, saved);
  }
  if (::link(temporary.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    saved = errno;
    ::unlink(temporary.c_str());
    return IoError("create", path, saved);
  }
  ::unlink(temporary.c_str());
  // Make the new name durable too.
  int dir_fd =
      ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Ok();
}

Status EnsureKeyDir(const fs::path& dir) {
  std::error_code ec;
  bool created = fs::create_directories(dir, ec);
  if (ec) return IoError("create directory", dir, ec.value());
  if (created) {
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return IoError("set the mode of", dir, ec.value());
  }
  return Ok();
}

struct LoadedSecret {
  std::string secret;
  std::int64_t issued_at = kConfiguredSecretEpoch;
};

Result<LoadedSecret> LoadOrCreateSecret(const fs::path& dir) {
  fs::path path = dir / kSecretFile;
  auto existing = ReadIfExists(path, true);
  if (!existing) return existing.error();
  if (!*existing) {
    std::string fresh = RandomBase64Url(kGeneratedSecretBytes);
    auto created = CreateExclusive(path, fresh + "\n");
    OPENSSL_cleanse(fresh.data(), fresh.size());
    if (!created) return created.error();
    existing = ReadIfExists(path, true);  // ours, or the one a concurrent process linked first
    if (!existing) return existing.error();
    if (!*existing) return IoError("read", path, ENOENT);
  }
  LoadedSecret loaded;
  loaded.secret = Trim(**existing);
  OPENSSL_cleanse((*existing)->data(), (*existing)->size());
  if (loaded.secret.size() < kMinHmacSecretBytes) {
    return ConfigError(path.string() + " holds a JWT secret shorter than " + std::to_string(kMinHmacSecretBytes) +
                       " characters; replace it with a longer one or delete it to have a new one made");
  }
  // The legacy API keys' iat: when the secret was made, so they stay the same
  // from one start to the next.
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0) loaded.issued_at = static_cast<std::int64_t>(info.st_mtime);
  return loaded;
}

Result<SigningKey> LoadOrCreateSigningKey(const fs::path& dir) {
  fs::path path = dir / kSigningKeyFile;
  auto existing = ReadIfExists(path, true);
  if (!existing) return existing.error();
  if (!*existing) {
    auto fresh = SigningKey::GenerateEs256();
    if (!fresh) return fresh.error();
    auto pem = fresh->ToPrivateKeyPem();
    if (!pem) return pem.error();
    auto created = CreateExclusive(path, *pem);
    OPENSSL_cleanse(pem->data(), pem->size());
    if (!created) return created.error();
    existing = ReadIfExists(path, true);
    if (!existing) return existing.error();
    if (!*existing) return IoError("read", path, ENOENT);
  }
  auto key = SigningKey::FromPrivateKeyPem(**existing);
  OPENSSL_cleanse((*existing)->data(), (*existing)->size());
  if (!key) return ConfigError(path.string() + ": " + key.error().message);
  if (key->is_hmac()) return ConfigError(path.string() + " does not hold an asymmetric private key");
  return key;
}

// --jwks: inline JSON when it looks like JSON, an http(s) URL (fetched at
// start-up; the document is kept in `fetched`), or else a file path.
Result<KeySet> ParseConfiguredJwks(const std::string& setting, std::string& fetched) {
  std::string text = Trim(setting);
  std::string source = "--jwks";
  if (text.empty()) return KeySet();
  if (IsJwksUrl(text)) {
    auto body = http::Fetch(text);
    if (!body) return ConfigError("--jwks: " + body.error().message);
    auto keys = ParseJwks(*body, text);
    if (keys) fetched = std::move(*body);
    return keys;
  }
  if (text.front() != '{') {
    auto content = ReadIfExists(text, false);
    if (!content) return content.error();
    if (!*content) return ConfigError("--jwks: no such file: " + text);
    source = text;
    text = **content;
  }
  return ParseJwks(text, source);
}

bool SameKey(const VerificationKey& a, const VerificationKey& b) {
  if (a.alg() != b.alg()) return false;
  return a.is_hmac() ? a.secret() == b.secret() : EVP_PKEY_eq(a.pkey(), b.pkey()) == 1;
}

// Adds `key` unless the very same key is already there (a configured JWKS
// may well list the server's own public key); a different key under a kid
// already taken is an error, since tokens with that kid could not be told apart.
Status AddDistinct(KeySet& keys, const VerificationKey& key) {
  for (const auto& existing : keys.keys()) {
    if (SameKey(existing, key) && existing.kid() == key.kid()) return Ok();
  }
  auto added = keys.Add(key);
  if (!added) return ConfigError("--jwks: " + added.error().message);
  return Ok();
}

}  // namespace

bool IsJwksUrl(std::string_view setting) {
  std::string_view text = TrimView(setting);
  return StartsWith(text, "http://") || StartsWith(text, "https://");
}

Result<KeySet> ParseJwks(std::string_view text, const std::string& source) {
  boost::system::error_code ec;
  json::value parsed = json::parse(Trim(text), ec);
  if (ec || !parsed.is_object())
    return ConfigError(source + ": not a JSON object (a JWKS {\"keys\":[...]} or one JWK)");
  auto keys = KeySet::FromJwkOrJwks(parsed.as_object());
  if (!keys) return ConfigError(source + ": " + keys.error().message);
  return keys;
}

Status KeyStore::ReplaceConfiguredKeys(const KeySet& configured) {
  KeySet verification = own_;
  for (const auto& key : configured.keys()) {
    if (auto added = AddDistinct(verification, key); !added) return added.error();
  }
  verification_ = std::move(verification);
  return Ok();
}

Result<KeyStore> KeyStore::FromKeys(std::optional<SigningKey> es256, std::optional<std::string> secret,
                                    const KeySet& extra, std::int64_t api_keys_issued_at) {
  KeyStore store;
  if (es256) {
    if (es256->is_hmac()) return ConfigError("the access-token signing key must be asymmetric");
    if (auto added = store.verification_.Add(es256->PublicKey()); !added) return added.error();
    store.es256_key_ = std::move(es256);
  }
  if (secret) {
    if (secret->size() < kMinHmacSecretBytes) {
      return ConfigError("the JWT secret must be at least " + std::to_string(kMinHmacSecretBytes) +
                         " characters long (like Supabase's JWT secret)");
    }
    auto key = SigningKey::FromSecret(*secret);
    if (!key) return ConfigError(key.error().message);
    if (auto added = AddDistinct(store.verification_, key->PublicKey()); !added) return added.error();
    store.secret_key_ = std::move(*key);
  }
  store.own_ = store.verification_;
  if (auto replaced = store.ReplaceConfiguredKeys(extra); !replaced) return replaced.error();
  if (store.secret_key_) {
    auto anon = store.ApiKey("anon", api_keys_issued_at, kApiKeyLifetimeSeconds);
    if (!anon) return anon.error();
    auto service = store.ApiKey("service_role", api_keys_issued_at, kApiKeyLifetimeSeconds);
    if (!service) return service.error();
    store.anon_key_ = std::move(*anon);
    store.service_role_key_ = std::move(*service);
  }
  return store;
}

Result<KeyStore> KeyStore::Load(const KeyStoreOptions& options) {
  std::string fetched_jwks;
  auto extra = ParseConfiguredJwks(options.jwks, fetched_jwks);
  if (!extra) return extra.error();

  std::optional<std::string> secret;
  std::int64_t issued_at = kConfiguredSecretEpoch;
  if (!options.jwt_secret.empty()) {
    if (options.jwt_secret.size() < kMinHmacSecretBytes) {
      return ConfigError("--jwt-secret (AGENTBASE_JWT_SECRET) must be at least " + std::to_string(kMinHmacSecretBytes) +
                         " characters long");
    }
    secret = options.jwt_secret;
  }

  std::optional<SigningKey> es256;
  if (!options.key_dir.empty()) {
    if (auto dir = EnsureKeyDir(options.key_dir); !dir) return dir.error();
    if (!secret) {
      auto loaded = LoadOrCreateSecret(options.key_dir);
      if (!loaded) return loaded.error();
      secret = std::move(loaded->secret);
      issued_at = loaded->issued_at;
    }
    auto key = LoadOrCreateSigningKey(options.key_dir);
    if (!key) return key.error();
    es256 = std::move(*key);
  }
  auto store = FromKeys(std::move(es256), std::move(secret), *extra, issued_at);
  if (store) store->fetched_jwks_ = std::move(fetched_jwks);
  return store;
}

Result<SigningKey> KeyStore::AccessTokenKey() const {
  if (es256_key_) return *es256_key_;
  if (secret_key_) return *secret_key_;
  return ConfigError(
      "no key to sign tokens with: set --jwt-secret or AGENTBASE_JWT_SECRET (at least 32 characters, the same "
      "secret the server uses)");
}

Result<SigningKey> KeyStore::SecretKey() const {
  if (secret_key_) return *secret_key_;
  return ConfigError(
      "no JWT secret to sign API keys with: set --jwt-secret or AGENTBASE_JWT_SECRET (at least 32 characters, the "
      "same secret the server uses)");
}

Result<std::string> KeyStore::ApiKey(std::string_view role, std::int64_t issued_at, std::int64_t ttl) const {
  auto key = SecretKey();
  if (!key) return key.error();
  return Sign(ApiKeyClaims(kApiKeyIssuer, role, issued_at, issued_at + ttl), *key);
}

}  // namespace agentbase::auth
