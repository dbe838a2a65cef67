#include "auth/jwk.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json/serialize.hpp>
#include <fstream>

#include "auth/jwt.hpp"
#include "jwt_test_support.hpp"

namespace agentbase::auth {
namespace {

using namespace test;  // NOLINT: the vectors and helpers are the vocabulary here

Result<VerificationKey> FromJwkText(std::string_view json) { return VerificationKey::FromJwk(ParseObject(json)); }

std::string WithMember(std::string_view jwk, std::string_view member) {
  return "{" + std::string(member) + "," + std::string(jwk.substr(1));
}

// A key of a type or size we refuse, made with OpenSSL directly.
EVP_PKEY* RawKey(const char* type, const char* group_or_null, std::size_t rsa_bits = 0) {
  if (rsa_bits > 0) return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", rsa_bits);
  if (group_or_null != nullptr) return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group_or_null);
  return EVP_PKEY_Q_keygen(nullptr, nullptr, type);
}

std::string PrivatePem(EVP_PKEY* key, const EVP_CIPHER* cipher = nullptr, const char* passphrase = nullptr) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, cipher, nullptr, 0, nullptr, const_cast<char*>(passphrase));
  BUF_MEM* memory = nullptr;
  BIO_get_mem_ptr(bio, &memory);
  std::string pem(memory->data, memory->length);
  BIO_free(bio);
  return pem;
}

std::string PublicPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  BUF_MEM* memory = nullptr;
  BIO_get_mem_ptr(bio, &memory);
  std::string pem(memory->data, memory->length);
  BIO_free(bio);
  return pem;
}

std::string BignumParam(EVP_PKEY* key, const char* name) {
  BIGNUM* number = nullptr;
  EVP_PKEY_get_bn_param(key, name, &number);
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(number)), '\0');
  BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(number);
  return Base64UrlEncode(bytes);
}

TEST(JwkAlgorithm, NamesAreExact) {
  EXPECT_EQ(AlgorithmFromName("HS256"), Algorithm::kHs256);
  EXPECT_EQ(AlgorithmFromName("RS256"), Algorithm::kRs256);
  EXPECT_EQ(AlgorithmFromName("ES256"), Algorithm::kEs256);
  EXPECT_FALSE(AlgorithmFromName("es256").has_value());
  EXPECT_FALSE(AlgorithmFromName("none").has_value());
  EXPECT_FALSE(AlgorithmFromName("HS384").has_value());
  EXPECT_EQ(AlgorithmName(Algorithm::kEs256), "ES256");
}

TEST(JwkConfig, PlainSecretOfAtLeast32Characters) {
  auto keys = KeySet::FromConfig(kSecret);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->keys()[0].alg(), Algorithm::kHs256);
  EXPECT_EQ(keys->keys()[0].secret(), kSecret);

  auto short_secret = KeySet::FromConfig("only-31-characters-long-secret!");
  ASSERT_FALSE(short_secret.ok());
  EXPECT_EQ(short_secret.error().code, "jwt-key");
  EXPECT_NE(short_secret.error().message.find("at least 32"), std::string::npos);
  EXPECT_FALSE(KeySet::FromConfig("").ok());
  // A secret that merely starts like JSON is still a secret.
  EXPECT_TRUE(KeySet::FromConfig("{not json but a long enough secret anyway}").ok());
}

TEST(JwkConfig, SingleJwkOrJwks) {
  auto single = KeySet::FromConfig(kA1Jwk);
  ASSERT_TRUE(single.ok()) << single.error().message;
  ASSERT_EQ(single->size(), 1u);
  EXPECT_EQ(single->keys()[0].alg(), Algorithm::kHs256);

  std::string jwks = R"({"keys":[)" + WithMember(kA2Jwk, R"("kid":"rsa")") + "," +
                     WithMember(kA3Jwk, R"("kid":"ec","use":"sig","alg":"ES256")") + "," +
                     WithMember(kA3Jwk, R"("kid":"enc-key","use":"enc")") + "]}";
  auto set = KeySet::FromConfig(jwks);
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(set->size(), 2u);  // the encryption key is skipped
  EXPECT_EQ(set->keys()[0].kid(), "rsa");
  EXPECT_EQ(set->keys()[0].alg(), Algorithm::kRs256);
  EXPECT_EQ(set->keys()[1].kid(), "ec");
  EXPECT_EQ(set->keys()[1].alg(), Algorithm::kEs256);
  VerifyOptions options;
  options.now = kBeforeRfcExp;
  EXPECT_TRUE(Verify(A2Token(), *set, options).ok());
  EXPECT_TRUE(Verify(A3Token(), *set, options).ok());
}

TEST(JwkConfig, BadJwksEntriesAreErrors) {
  auto duplicate = KeySet::FromConfig(R"({"keys":[)" + WithMember(kA2Jwk, R"("kid":"same")") + "," +
                                      WithMember(kA3Jwk, R"("kid":"same")") + "]}");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().message.find("same"), std::string::npos);

  auto weak = KeySet::FromConfig(R"({"keys":[)" + std::string(kA3Jwk) + R"(,{"kty":"oct","k":"c2hvcnQ"}]})");
  ASSERT_FALSE(weak.ok());
  EXPECT_NE(weak.error().message.find("#1"), std::string::npos) << weak.error().message;

  EXPECT_FALSE(KeySet::FromConfig(R"({"keys":{}})").ok());
  EXPECT_FALSE(KeySet::FromConfig(R"({"keys":[1]})").ok());
  EXPECT_FALSE(KeySet::FromConfig(
                   R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})")
                   .ok());
  EXPECT_TRUE(KeySet::FromConfig(R"({"keys":[]})").ok());
}

TEST(JwkParse, AlgMustFitTheKeyType) {
  EXPECT_TRUE(FromJwkText(WithMember(kA2Jwk, R"("alg":"RS256")")).ok());
  EXPECT_FALSE(FromJwkText(WithMember(kA2Jwk, R"("alg":"HS256")")).ok());
  EXPECT_FALSE(FromJwkText(WithMember(kA2Jwk, R"("alg":"PS256")")).ok());
  EXPECT_FALSE(FromJwkText(WithMember(kA3Jwk, R"("alg":"RS256")")).ok());
  EXPECT_FALSE(FromJwkText(WithMember(kA1Jwk, R"("alg":"HS512")")).ok());
  EXPECT_FALSE(FromJwkText(WithMember(kA1Jwk, R"("alg":"none")")).ok());
  EXPECT_FALSE(FromJwkText(WithMember(kA1Jwk, R"("use":"enc")")).ok());
  EXPECT_FALSE(FromJwkText(WithMember(kA1Jwk, R"("kid":5)")).ok());
  EXPECT_FALSE(
      FromJwkText(R"({"k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"})")
          .ok());
}

TEST(JwkParse, OctKeysNeedAtLeast32Bytes) {
  EXPECT_FALSE(FromJwkText(R"({"kty":"oct","k":"c2hvcnQ"})").ok());
  EXPECT_FALSE(FromJwkText(R"({"kty":"oct","k":""})").ok());
  EXPECT_FALSE(FromJwkText(R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ+EstJQ="})").ok());
  EXPECT_TRUE(FromJwkText(R"({"kty":"oct","k":")" + Base64UrlEncode(std::string(32, 'k')) + "\"}").ok());
}

TEST(JwkParse, OnlyP256Points) {
  EXPECT_FALSE(
      FromJwkText(
          R"({"kty":"EC","crv":"P-384","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})")
          .ok());
  EXPECT_FALSE(
      FromJwkText(
          R"({"kty":"EC","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})")
          .ok());
  // The same coordinates with one bit changed are not on the curve.
  auto off_curve = FromJwkText(
      R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1"})");
  ASSERT_FALSE(off_curve.ok());
  EXPECT_EQ(off_curve.error().code, "jwt-key");
  // Coordinates must be full length.
  EXPECT_FALSE(
      FromJwkText(
          R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvR","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})")
          .ok());
  EXPECT_FALSE(FromJwkText(R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"})").ok());
}

TEST(JwkParse, RsaUnder2048BitsIsRefused) {
  EVP_PKEY* small = RawKey("RSA", nullptr, 1024);
  ASSERT_NE(small, nullptr);
  std::string jwk = R"({"kty":"RSA","n":")" + BignumParam(small, OSSL_PKEY_PARAM_RSA_N) + R"(","e":")" +
                    BignumParam(small, OSSL_PKEY_PARAM_RSA_E) + "\"}";
  auto from_jwk = FromJwkText(jwk);
  ASSERT_FALSE(from_jwk.ok());
  EXPECT_NE(from_jwk.error().message.find("2048"), std::string::npos);
  EXPECT_FALSE(VerificationKey::FromPublicKeyPem(PublicPem(small)).ok());
  EXPECT_FALSE(SigningKey::FromPrivateKeyPem(PrivatePem(small)).ok());
  EVP_PKEY_free(small);
  EXPECT_FALSE(SigningKey::GenerateRs256(1024).ok());
  // The RFC's own 2048-bit key passes.
  EXPECT_TRUE(FromJwkText(kA2Jwk).ok());
}

TEST(JwkPem, OtherCurvesAndKeyTypesAreRefused) {
  for (const char* group : {"P-384", "secp256k1"}) {
    EVP_PKEY* key = RawKey("EC", group);
    ASSERT_NE(key, nullptr) << group;
    auto from_private = SigningKey::FromPrivateKeyPem(PrivatePem(key));
    ASSERT_FALSE(from_private.ok()) << group;
    EXPECT_NE(from_private.error().message.find("P-256"), std::string::npos);
    EXPECT_FALSE(VerificationKey::FromPublicKeyPem(PublicPem(key)).ok()) << group;
    EVP_PKEY_free(key);
  }
  EVP_PKEY* ed = RawKey("ED25519", nullptr);
  ASSERT_NE(ed, nullptr);
  EXPECT_FALSE(SigningKey::FromPrivateKeyPem(PrivatePem(ed)).ok());
  EXPECT_FALSE(VerificationKey::FromPublicKeyPem(PublicPem(ed)).ok());
  EVP_PKEY_free(ed);
  EXPECT_FALSE(SigningKey::FromPrivateKeyPem("not a pem").ok());
  EXPECT_FALSE(VerificationKey::FromPublicKeyPem("").ok());
}

TEST(JwkPem, EncryptedPrivateKeyIsRefusedWithoutPrompting) {
  EVP_PKEY* key = RawKey("EC", "P-256");
  std::string pem = PrivatePem(key, EVP_aes_256_cbc(), "passphrase");
  EVP_PKEY_free(key);
  ASSERT_NE(pem.find("ENCRYPTED"), std::string::npos);
  EXPECT_FALSE(SigningKey::FromPrivateKeyPem(pem).ok());
}

TEST(JwkPem, PrivateKeyRoundTrip) {
  auto key = SigningKey::GenerateEs256();
  ASSERT_TRUE(key.ok());
  auto pem = key->ToPrivateKeyPem();
  ASSERT_TRUE(pem.ok()) << pem.error().message;
  auto loaded = SigningKey::FromPrivateKeyPem(*pem);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->alg(), Algorithm::kEs256);
  EXPECT_EQ(loaded->kid(), key->kid());  // the thumbprint: same key, same kid
  auto token = Sign(boost::json::object{{"role", "anon"}}, *loaded);
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(Verify(*token, KeysOf({key->PublicKey()})).ok());
  EXPECT_FALSE(SigningKey::FromSecret(std::string(40, 's'))->ToPrivateKeyPem().ok());
}

TEST(JwkPem, PublicKeyPemRoundTrip) {
  auto key = *SigningKey::GenerateRs256();
  auto pem = key.PublicKey().ToPublicKeyPem();
  ASSERT_TRUE(pem.ok());
  EXPECT_NE(pem->find("BEGIN PUBLIC KEY"), std::string::npos);
  auto again = VerificationKey::FromPublicKeyPem(*pem);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->kid(), key.kid());
  EXPECT_TRUE(Verify(*Sign(boost::json::object{{"a", 1}}, key), KeysOf({*again})).ok());
  auto named = VerificationKey::FromPublicKeyPem(*pem, "named");
  EXPECT_EQ(named->kid(), "named");
}

TEST(JwkExport, PublicJwkCarriesTheKeyAndItsUse) {
  auto ec = JwkKey(kA3Jwk);
  auto jwk = ec.ToPublicJwk();
  ASSERT_TRUE(jwk.ok());
  EXPECT_EQ(boost::json::serialize(*jwk),
            R"({"kty":"EC","use":"sig","alg":"ES256","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
            R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})");
  auto rsa = JwkKey(WithMember(kA2Jwk, R"("kid":"2011-04-29")"));
  auto rsa_jwk = *rsa.ToPublicJwk();
  EXPECT_EQ(rsa_jwk.at("kid").as_string(), "2011-04-29");
  EXPECT_EQ(rsa_jwk.at("e").as_string(), "AQAB");
  EXPECT_EQ(rsa_jwk.at("n").as_string(), ParseObject(kA2Jwk).at("n").as_string());
}

TEST(JwkExport, HmacSecretsAreNeverExported) {
  auto hmac = JwkKey(kA1Jwk);
  EXPECT_FALSE(hmac.ToPublicJwk().ok());
  EXPECT_FALSE(hmac.ToPublicKeyPem().ok());
  EXPECT_FALSE(hmac.Thumbprint().ok());
  EXPECT_FALSE(SigningKey::FromSecret(std::string(kSecret))->ToPrivateKeyPem().ok());
  EXPECT_EQ(KeysOf({hmac}).ToPublicJwks().at("keys").as_array().size(), 0u);
}

TEST(JwkThumbprint, Rfc7638Example) {
  auto key = FromJwkText(
      R"({"kty":"RSA","e":"AQAB","alg":"RS256","kid":"2011-04-29","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"})");
  ASSERT_TRUE(key.ok()) << key.error().message;
  auto thumbprint = key->Thumbprint();
  ASSERT_TRUE(thumbprint.ok());
  EXPECT_EQ(*thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(JwkGenerate, Es256KeyNamedByItsThumbprint) {
  auto key = SigningKey::GenerateEs256();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->alg(), Algorithm::kEs256);
  EXPECT_EQ(key->kid(), *key->PublicKey().Thumbprint());
  EXPECT_EQ(key->kid().size(), 43u);
  EXPECT_EQ(SigningKey::GenerateEs256("mine")->kid(), "mine");
  EXPECT_NE(SigningKey::GenerateEs256()->kid(), key->kid());
  auto pem = key->ToPrivateKeyPem();
  ASSERT_TRUE(pem.ok());
  EXPECT_NE(pem->find("BEGIN PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace agentbase::auth
