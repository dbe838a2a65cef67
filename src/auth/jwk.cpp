#include "auth/jwk.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "auth/openssl_handles.hpp"
#include "util/base64url.hpp"
#include "util/checksum.hpp"
#include "util/text.hpp"

namespace agentbase::auth {

namespace detail {

struct KeyMaterial {
  Algorithm alg = Algorithm::kHs256;
  std::string kid;
  std::string secret;  // HS256
  ossl::Pkey pkey;     // RS256, ES256

  KeyMaterial() = default;
  KeyMaterial(const KeyMaterial&) = delete;
  KeyMaterial& operator=(const KeyMaterial&) = delete;
  // The secret is wiped so it does not linger in freed memory.
  ~KeyMaterial() {
    if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  }
};

}  // namespace detail

namespace {

using detail::KeyMaterial;
using MaterialPtr = std::shared_ptr<KeyMaterial>;

constexpr std::size_t kP256CoordinateBytes = 32;
constexpr const char* kP256GroupName = "prime256v1";

Error KeyError(std::string message) { return Error::Make(std::move(message), "jwt-key"); }

Error OpenSslKeyError(std::string message) {
  std::string reason = ossl::DrainErrors();
  Error error = KeyError(std::move(message));
  error.detail = reason;
  return error;
}

Result<MaterialPtr> HmacMaterial(std::string secret, std::string kid) {
  if (secret.size() < kMinHmacSecretBytes) {
    return KeyError("the HS256 secret must be at least " + std::to_string(kMinHmacSecretBytes) +
                    " characters long; it has " + std::to_string(secret.size()));
  }
  auto material = std::make_shared<KeyMaterial>();
  material->alg = Algorithm::kHs256;
  material->kid = std::move(kid);
  material->secret = std::move(secret);
  return material;
}

Result<ossl::Bignum> GetBignum(EVP_PKEY* pkey, const char* name);

// EC: OpenSSL's check that the point is on the curve. RSA: deterministic
// checks of our own, since OpenSSL's RSA public check tests the modulus with
// a randomised primality test and answered differently for one key between
// calls (found by fuzzing): n and e odd, 3 <= e < n (the size is checked
// by AlgorithmForPkey).
bool PassesPublicCheck(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    auto n = GetBignum(pkey, "n");
    auto e = GetBignum(pkey, "e");
    if (!n || !e) return false;
    ossl::Bignum three(BN_new());
    if (!three || BN_set_word(three.get(), 3) != 1) return false;
    return BN_is_odd(n->get()) && BN_is_odd(e->get()) && BN_cmp(e->get(), three.get()) >= 0 &&
           BN_cmp(e->get(), n->get()) < 0;
  }
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  return ctx && EVP_PKEY_public_check(ctx.get()) == 1;
}

// Pins an RSA or EC key to its one algorithm, refusing what we do not accept.
Result<Algorithm> AlgorithmForPkey(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    int bits = EVP_PKEY_get_bits(pkey);
    if (bits < kMinRsaBits) {
      return KeyError("RSA keys must have at least " + std::to_string(kMinRsaBits) + " bits; this one has " +
                      std::to_string(bits));
    }
    return Algorithm::kRs256;
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    // Keys with explicit curve parameters have no group name and are refused too.
    std::array<char, 64> group{};
    std::size_t length = 0;
    if (EVP_PKEY_get_group_name(pkey, group.data(), group.size(), &length) != 1 ||
        std::string_view(group.data(), length) != kP256GroupName) {
      ossl::DrainErrors();
      return KeyError("EC keys must be on the P-256 curve (ES256)");
    }
    return Algorithm::kEs256;
  }
  return KeyError("unsupported key type: only RSA (RS256), EC P-256 (ES256) and HS256 secrets are accepted");
}

Result<MaterialPtr> AsymmetricMaterial(ossl::Pkey pkey, std::string kid) {
  auto alg = AlgorithmForPkey(pkey.get());
  if (!alg) return alg.error();
  if (!PassesPublicCheck(pkey.get())) return OpenSslKeyError("the public key is not valid");
  auto material = std::make_shared<KeyMaterial>();
  material->alg = *alg;
  material->kid = std::move(kid);
  material->pkey = std::move(pkey);
  return material;
}

Result<ossl::Bignum> GetBignum(EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    return OpenSslKeyError(std::string("cannot read the key parameter '") + name + "'");
  }
  return ossl::Bignum(raw);
}

Result<std::string> BignumBytes(const BIGNUM* number, int padded_size = 0) {
  int size = padded_size > 0 ? padded_size : BN_num_bytes(number);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  int written = padded_size > 0 ? BN_bn2binpad(number, reinterpret_cast<unsigned char*>(bytes.data()), padded_size)
                                : BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
  if (written != size) return OpenSslKeyError("cannot encode a key parameter");
  return bytes;
}

// The base64url members a public JWK (and its thumbprint) needs, in RFC 7638 order.
struct PublicMembers {
  std::string kty;
  std::vector<std::pair<std::string, std::string>> members;  // sorted by name, kty excluded
};

Result<PublicMembers> GetPublicMembers(const KeyMaterial& material) {
  if (material.alg == Algorithm::kHs256) return KeyError("HMAC secrets have no public key");
  EVP_PKEY* pkey = material.pkey.get();
  if (material.alg == Algorithm::kRs256) {
    auto n = GetBignum(pkey, OSSL_PKEY_PARAM_RSA_N);
    if (!n) return n.error();
    auto e = GetBignum(pkey, OSSL_PKEY_PARAM_RSA_E);
    if (!e) return e.error();
    auto n_bytes = BignumBytes(n->get());
    if (!n_bytes) return n_bytes.error();
    auto e_bytes = BignumBytes(e->get());
    if (!e_bytes) return e_bytes.error();
    return PublicMembers{"RSA", {{"e", Base64UrlEncode(*e_bytes)}, {"n", Base64UrlEncode(*n_bytes)}}};
  }
  auto x = GetBignum(pkey, OSSL_PKEY_PARAM_EC_PUB_X);
  if (!x) return x.error();
  auto y = GetBignum(pkey, OSSL_PKEY_PARAM_EC_PUB_Y);
  if (!y) return y.error();
  auto x_bytes = BignumBytes(x->get(), kP256CoordinateBytes);
  if (!x_bytes) return x_bytes.error();
  auto y_bytes = BignumBytes(y->get(), kP256CoordinateBytes);
  if (!y_bytes) return y_bytes.error();
  return PublicMembers{"EC", {{"crv", "P-256"}, {"x", Base64UrlEncode(*x_bytes)}, {"y", Base64UrlEncode(*y_bytes)}}};
}

Result<std::string> ComputeThumbprint(const KeyMaterial& material) {
  auto members = GetPublicMembers(material);
  if (!members) return members.error();
  // RFC 7638: the required members only, sorted by name, no white space. The
  // values are base64url or fixed names, so none needs escaping.
  std::vector<std::pair<std::string, std::string>> all = members->members;
  all.emplace_back("kty", members->kty);
  std::sort(all.begin(), all.end());
  std::string canonical = "{";
  for (const auto& [name, value] : all) {
    if (canonical.size() > 1) canonical += ',';
    canonical += '"' + name + "\":\"" + value + '"';
  }
  canonical += '}';
  return Base64UrlEncode(Sha256(canonical));
}

Result<MaterialPtr> WithThumbprintKid(Result<MaterialPtr> material) {
  if (!material || !(*material)->kid.empty()) return material;
  auto kid = ComputeThumbprint(**material);
  if (!kid) return kid.error();
  (*material)->kid = std::move(*kid);
  return material;
}

// ---- JWK parsing ----

Result<std::optional<std::string>> OptionalString(const boost::json::object& jwk, std::string_view name) {
  auto it = jwk.find(name);
  if (it == jwk.end()) return std::optional<std::string>();
  if (!it->value().is_string()) return KeyError("the JWK member '" + std::string(name) + "' must be a string");
  return std::optional<std::string>(std::string(it->value().get_string()));
}

Result<std::string> RequiredBytes(const boost::json::object& jwk, std::string_view name) {
  auto text = OptionalString(jwk, name);
  if (!text) return text.error();
  if (!*text || (*text)->empty()) return KeyError("the JWK has no '" + std::string(name) + "' member");
  auto bytes = Base64UrlDecode(**text);
  if (!bytes) return KeyError("the JWK member '" + std::string(name) + "' is not valid base64url");
  return std::move(*bytes);
}

Result<ossl::Pkey> PkeyFromParams(const char* type, OSSL_PARAM_BLD* builder) {
  ossl::Params params(OSSL_PARAM_BLD_to_param(builder));
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return OpenSslKeyError(std::string("the ") + type + " JWK does not describe a valid public key");
  }
  return ossl::Pkey(raw);
}

Result<ossl::Pkey> RsaFromJwk(const boost::json::object& jwk) {
  auto n = RequiredBytes(jwk, "n");
  if (!n) return n.error();
  auto e = RequiredBytes(jwk, "e");
  if (!e) return e.error();
  ossl::Bignum n_number(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
  ossl::Bignum e_number(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr));
  ossl::ParamBld builder(OSSL_PARAM_BLD_new());
  if (!n_number || !e_number || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n_number.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e_number.get()) != 1) {
    throw std::runtime_error("out of memory building an RSA key: " + ossl::DrainErrors());
  }
  return PkeyFromParams("RSA", builder.get());
}

Result<ossl::Pkey> EcFromJwk(const boost::json::object& jwk) {
  auto crv = OptionalString(jwk, "crv");
  if (!crv) return crv.error();
  if (!*crv || **crv != "P-256") return KeyError("EC JWKs must have \"crv\":\"P-256\" (ES256)");
  auto x = RequiredBytes(jwk, "x");
  if (!x) return x.error();
  auto y = RequiredBytes(jwk, "y");
  if (!y) return y.error();
  if (x->size() != kP256CoordinateBytes || y->size() != kP256CoordinateBytes) {
    return KeyError("the P-256 JWK coordinates x and y must be 32 bytes each");
  }
  // The uncompressed point encoding: 0x04 || x || y.
  std::string point = "\x04" + *x + *y;
  ossl::ParamBld builder(OSSL_PARAM_BLD_new());
  if (!builder || OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, kP256GroupName, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    throw std::runtime_error("out of memory building an EC key: " + ossl::DrainErrors());
  }
  return PkeyFromParams("EC", builder.get());
}

Result<MaterialPtr> MaterialFromJwk(const boost::json::object& jwk) {
  auto kty = OptionalString(jwk, "kty");
  if (!kty) return kty.error();
  if (!*kty) return KeyError("the JWK has no 'kty' member");
  auto kid = OptionalString(jwk, "kid");
  if (!kid) return kid.error();
  auto alg_name = OptionalString(jwk, "alg");
  if (!alg_name) return alg_name.error();
  auto use = OptionalString(jwk, "use");
  if (!use) return use.error();
  if (*use && **use != "sig")
    return KeyError("the JWK has \"use\":\"" + **use + "\"; only signing keys (\"sig\") apply");

  Result<MaterialPtr> material = KeyError("unsupported JWK kty '" + **kty + "': expected RSA, EC or oct");
  if (**kty == "oct") {
    auto k = RequiredBytes(jwk, "k");
    if (!k) return k.error();
    material = HmacMaterial(std::move(*k), kid->value_or(""));
  } else if (**kty == "RSA" || **kty == "EC") {
    auto pkey = **kty == "RSA" ? RsaFromJwk(jwk) : EcFromJwk(jwk);
    if (!pkey) return pkey.error();
    material = AsymmetricMaterial(std::move(*pkey), kid->value_or(""));
  }
  if (!material) return material;
  if (*alg_name && **alg_name != AlgorithmName((*material)->alg)) {
    return KeyError("the JWK says \"alg\":\"" + **alg_name + "\" but its key type is for " +
                    std::string(AlgorithmName((*material)->alg)));
  }
  return material;
}

// ---- PEM ----

// Refuses to prompt on the terminal for the passphrase of an encrypted PEM.
int NoPassphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

ossl::Bio MemoryBio(std::string_view text) {
  ossl::Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw std::runtime_error("BIO_new_mem_buf failed");
  return bio;
}

std::string BioText(BIO* bio) {
  BUF_MEM* memory = nullptr;
  BIO_get_mem_ptr(bio, &memory);
  if (memory == nullptr) return {};
  return std::string(memory->data, memory->length);
}

}  // namespace

std::string_view AlgorithmName(Algorithm alg) {
  switch (alg) {
    case Algorithm::kHs256: return "HS256";
    case Algorithm::kRs256: return "RS256";
    case Algorithm::kEs256: return "ES256";
  }
  return "?";
}

std::optional<Algorithm> AlgorithmFromName(std::string_view name) {
  if (name == "HS256") return Algorithm::kHs256;
  if (name == "RS256") return Algorithm::kRs256;
  if (name == "ES256") return Algorithm::kEs256;
  return std::nullopt;
}

// ---- VerificationKey ----

VerificationKey::VerificationKey(std::shared_ptr<const detail::KeyMaterial> material)
    : material_(std::move(material)) {}

Result<VerificationKey> VerificationKey::FromSecret(std::string secret, std::string kid) {
  auto material = HmacMaterial(std::move(secret), std::move(kid));
  if (!material) return material.error();
  return VerificationKey(std::move(*material));
}

Result<VerificationKey> VerificationKey::FromJwk(const boost::json::object& jwk) {
  auto material = MaterialFromJwk(jwk);
  if (!material) return material.error();
  return VerificationKey(std::move(*material));
}

Result<VerificationKey> VerificationKey::FromPublicKeyPem(std::string_view pem, std::string kid) {
  auto bio = MemoryBio(pem);
  ossl::Pkey pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, &NoPassphrase, nullptr));
  if (!pkey) return OpenSslKeyError("not a PEM public key");
  auto material = WithThumbprintKid(AsymmetricMaterial(std::move(pkey), std::move(kid)));
  if (!material) return material.error();
  return VerificationKey(std::move(*material));
}

Algorithm VerificationKey::alg() const { return material_->alg; }
const std::string& VerificationKey::kid() const { return material_->kid; }
bool VerificationKey::is_hmac() const { return material_->alg == Algorithm::kHs256; }
const std::string& VerificationKey::secret() const { return material_->secret; }
EVP_PKEY* VerificationKey::pkey() const { return material_->pkey.get(); }

Result<boost::json::object> VerificationKey::ToPublicJwk() const {
  auto members = GetPublicMembers(*material_);
  if (!members) return members.error();
  boost::json::object jwk;
  jwk["kty"] = members->kty;
  if (!kid().empty()) jwk["kid"] = kid();
  jwk["use"] = "sig";
  jwk["alg"] = AlgorithmName(alg());
  for (const auto& [name, value] : members->members) jwk[name] = value;
  return jwk;
}

Result<std::string> VerificationKey::ToPublicKeyPem() const {
  if (is_hmac()) return KeyError("HMAC secrets have no public key");
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey()) != 1) return OpenSslKeyError("cannot write the public key PEM");
  return BioText(bio.get());
}

Result<std::string> VerificationKey::Thumbprint() const { return ComputeThumbprint(*material_); }

// ---- SigningKey ----

SigningKey::SigningKey(std::shared_ptr<const detail::KeyMaterial> material) : material_(std::move(material)) {}

Result<SigningKey> SigningKey::FromSecret(std::string secret, std::string kid) {
  auto material = HmacMaterial(std::move(secret), std::move(kid));
  if (!material) return material.error();
  return SigningKey(std::move(*material));
}

Result<SigningKey> SigningKey::FromPrivateKeyPem(std::string_view pem, std::string kid) {
  auto bio = MemoryBio(pem);
  ossl::Pkey pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr));
  if (!pkey) return OpenSslKeyError("not an unencrypted PEM private key");
  auto material = WithThumbprintKid(AsymmetricMaterial(std::move(pkey), std::move(kid)));
  if (!material) return material.error();
  return SigningKey(std::move(*material));
}

Result<SigningKey> SigningKey::GenerateEs256(std::string kid) {
  ossl::Pkey pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!pkey) throw std::runtime_error("P-256 key generation failed: " + ossl::DrainErrors());
  auto material = WithThumbprintKid(AsymmetricMaterial(std::move(pkey), std::move(kid)));
  if (!material) return material.error();
  return SigningKey(std::move(*material));
}

Result<SigningKey> SigningKey::GenerateRs256(int bits, std::string kid) {
  if (bits < kMinRsaBits) {
    return KeyError("RSA keys must have at least " + std::to_string(kMinRsaBits) + " bits");
  }
  ossl::Pkey pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
  if (!pkey) throw std::runtime_error("RSA key generation failed: " + ossl::DrainErrors());
  auto material = WithThumbprintKid(AsymmetricMaterial(std::move(pkey), std::move(kid)));
  if (!material) return material.error();
  return SigningKey(std::move(*material));
}

Algorithm SigningKey::alg() const { return material_->alg; }
const std::string& SigningKey::kid() const { return material_->kid; }
bool SigningKey::is_hmac() const { return material_->alg == Algorithm::kHs256; }
const std::string& SigningKey::secret() const { return material_->secret; }
EVP_PKEY* SigningKey::pkey() const { return material_->pkey.get(); }

VerificationKey SigningKey::PublicKey() const {
  // Verifying with the private key object works the same and saves a copy.
  return VerificationKey(material_);
}

Result<std::string> SigningKey::ToPrivateKeyPem() const {
  if (is_hmac()) return KeyError("HMAC secrets are not written as PEM");
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslKeyError("cannot write the private key PEM");
  }
  return BioText(bio.get());
}

// ---- KeySet ----

Result<KeySet> KeySet::FromConfig(std::string_view text) {
  std::string trimmed = Trim(text);
  if (!trimmed.empty() && trimmed.front() == '{') {
    boost::json::error_code parse_error;
    boost::json::value value = boost::json::parse(trimmed, parse_error);
    if (!parse_error && value.is_object()) return FromJwkOrJwks(value.as_object());
  }
  // Anything else is the secret itself, byte for byte (as PostgREST takes it).
  auto key = VerificationKey::FromSecret(std::string(text));
  if (!key) return key.error();
  KeySet keys;
  if (auto added = keys.Add(std::move(*key)); !added) return added.error();
  return keys;
}

Result<KeySet> KeySet::FromJwkOrJwks(const boost::json::object& document) {
  if (document.contains("keys")) return FromJwks(document);
  auto key = VerificationKey::FromJwk(document);
  if (!key) return key.error();
  KeySet keys;
  keys.keys_.push_back(std::move(*key));  // the first key of a set cannot clash
  return keys;
}

Result<KeySet> KeySet::FromJwks(const boost::json::value& jwks) {
  const boost::json::value* list = jwks.is_object() ? jwks.as_object().if_contains("keys") : nullptr;
  if (list == nullptr || !list->is_array()) return KeyError("a JWKS must be an object with a \"keys\" array");
  KeySet keys;
  std::size_t index = 0;
  for (const auto& entry : list->as_array()) {
    auto where = [&] { return "JWKS key #" + std::to_string(index) + ": "; };
    if (!entry.is_object()) return KeyError(where() + "not a JSON object");
    const auto* use = entry.as_object().if_contains("use");
    if (use != nullptr && use->is_string() && use->get_string() != "sig") {
      ++index;
      continue;  // an encryption key has no say over signatures
    }
    auto key = VerificationKey::FromJwk(entry.as_object());
    if (!key) {
      Error error = key.error();
      error.message = where() + error.message;
      return error;
    }
    if (auto added = keys.Add(std::move(*key)); !added) return added.error();
    ++index;
  }
  return keys;
}

Status KeySet::Add(VerificationKey key) {
  if (!key.kid().empty()) {
    for (const auto& existing : keys_) {
      if (existing.kid() == key.kid()) return KeyError("two keys have the kid '" + key.kid() + "'");
    }
  }
  keys_.push_back(std::move(key));
  return Ok();
}

boost::json::object KeySet::ToPublicJwks() const {
  boost::json::array list;
  for (const auto& key : keys_) {
    if (key.is_hmac()) continue;
    auto jwk = key.ToPublicJwk();
    // Reading n/e or x/y back from a key that OpenSSL accepted fails only on a bug.
    if (!jwk) throw std::runtime_error("cannot export a public key: " + jwk.error().message);
    list.emplace_back(std::move(*jwk));
  }
  boost::json::object jwks;
  jwks["keys"] = std::move(list);
  return jwks;
}

}  // namespace agentbase::auth
