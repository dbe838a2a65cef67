// The server's keys: files created once under the data directory and reused,
// configured secrets and JWKS, what is published and what API keys say.

#include "auth/key_store.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "auth/jwt.hpp"

namespace agentbase::auth {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSecret = "a-configured-secret-of-at-least-32-characters";

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/abks-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  KeyStoreOptions WithKeyDir() const {
    KeyStoreOptions options;
    options.key_dir = root_ / "data" / "keys";
    return options;
  }
  static unsigned Mode(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 0777;
  }
  static std::string Read(const fs::path& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static KeyStore MustLoad(const KeyStoreOptions& options) {
    auto store = KeyStore::Load(options);
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(*store);
  }

  fs::path root_;
};

boost::json::object Claims(const std::string& token, const KeyStore& store) {
  auto verified = Verify(token, store.Verification());
  if (!verified) throw std::runtime_error(verified.error().message);
  return verified->claims;
}

TEST_F(KeyStoreTest, FirstUseCreatesPrivateFilesAndLaterUsesReuseThem) {
  auto first = MustLoad(WithKeyDir());
  fs::path dir = root_ / "data" / "keys";
  EXPECT_EQ(Mode(dir), 0700u);
  EXPECT_EQ(Mode(dir / "jwt-secret"), 0600u);
  EXPECT_EQ(Mode(dir / "signing-key.pem"), 0600u);
  EXPECT_GE(Read(dir / "jwt-secret").size(), 32u);
  EXPECT_NE(Read(dir / "signing-key.pem").find("BEGIN PRIVATE KEY"), std::string::npos);
  // No temporary files are left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);

  auto second = MustLoad(WithKeyDir());
  EXPECT_EQ(first.AnonKey(), second.AnonKey());
  EXPECT_EQ(first.ServiceRoleKey(), second.ServiceRoleKey());
  EXPECT_EQ(boost::json::serialize(first.PublicJwks()), boost::json::serialize(second.PublicJwks()));
  // A token signed by the first load verifies with the second.
  auto key = first.AccessTokenKey();
  ASSERT_TRUE(key.ok());
  boost::json::object claims;
  claims["sub"] = "x";
  auto token = Sign(claims, *key);
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(Verify(*token, second.Verification()).ok());
}

TEST_F(KeyStoreTest, AccessTokensAreEs256WithAKidAndTheSecretVerifiesToo) {
  auto store = MustLoad(WithKeyDir());
  EXPECT_TRUE(store.HasEs256());
  EXPECT_TRUE(store.HasSecret());
  auto key = store.AccessTokenKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->alg(), Algorithm::kEs256);
  EXPECT_FALSE(key->kid().empty());
  EXPECT_EQ(store.Verification().size(), 2u);

  auto secret = store.SecretKey();
  ASSERT_TRUE(secret.ok());
  boost::json::object claims;
  claims["role"] = "authenticated";
  auto hs256 = Sign(claims, *secret);
  ASSERT_TRUE(hs256.ok());
  EXPECT_TRUE(Verify(*hs256, store.Verification()).ok());
}

TEST_F(KeyStoreTest, PublishedJwksHoldsThePublicKeyOnly) {
  auto store = MustLoad(WithKeyDir());
  auto jwks = store.PublicJwks();
  const auto& keys = jwks.at("keys").as_array();
  ASSERT_EQ(keys.size(), 1u);
  const auto& jwk = keys[0].as_object();
  EXPECT_EQ(jwk.at("kty"), "EC");
  EXPECT_EQ(jwk.at("crv"), "P-256");
  EXPECT_EQ(jwk.at("alg"), "ES256");
  EXPECT_EQ(std::string(jwk.at("kid").as_string()), store.AccessTokenKey()->kid());
  EXPECT_FALSE(jwk.contains("d"));
  std::string text = boost::json::serialize(jwks);
  EXPECT_EQ(text.find("\"oct\""), std::string::npos);
  EXPECT_EQ(text.find(Read(root_ / "data" / "keys" / "jwt-secret").substr(0, 20)), std::string::npos);
}

TEST_F(KeyStoreTest, LegacyApiKeysAreHs256RoleTokensWithoutSubOrAud) {
  auto store = MustLoad(WithKeyDir());
  for (const auto& [key, role] :
       {std::pair{store.AnonKey(), "anon"}, std::pair{store.ServiceRoleKey(), "service_role"}}) {
    auto verified = Verify(key, store.Verification());
    ASSERT_TRUE(verified.ok()) << verified.error().message;
    EXPECT_EQ(verified->alg, Algorithm::kHs256);
    EXPECT_EQ(verified->role, role);
    const auto& claims = verified->claims;
    EXPECT_EQ(claims.at("iss"), "agentbase");
    EXPECT_FALSE(claims.contains("sub"));
    EXPECT_FALSE(claims.contains("aud"));
    EXPECT_EQ(claims.at("exp").as_int64() - claims.at("iat").as_int64(), kApiKeyLifetimeSeconds);
  }
  auto short_lived = store.ApiKey("anon", 1000, 60);
  ASSERT_TRUE(short_lived.ok());
  VerifyOptions at;
  at.now = 1030;
  auto verified = Verify(*short_lived, store.Verification(), at);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->claims.at("exp").as_int64(), 1060);
}

TEST_F(KeyStoreTest, ConfiguredSecretReplacesTheFileAndGivesStableKeys) {
  auto options = WithKeyDir();
  options.jwt_secret = std::string(kSecret);
  auto store = MustLoad(options);
  EXPECT_FALSE(fs::exists(root_ / "data" / "keys" / "jwt-secret"));
  EXPECT_TRUE(fs::exists(root_ / "data" / "keys" / "signing-key.pem"));
  auto secret = store.SecretKey();
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->secret(), kSecret);
  EXPECT_EQ(Claims(store.AnonKey(), store).at("iat").as_int64(), kConfiguredSecretEpoch);
  EXPECT_EQ(MustLoad(options).AnonKey(), store.AnonKey());
}

TEST_F(KeyStoreTest, WithoutKeyDirTheSecretSignsAccessTokens) {
  KeyStoreOptions options;
  options.jwt_secret = std::string(kSecret);
  auto store = MustLoad(options);
  EXPECT_FALSE(store.HasEs256());
  auto key = store.AccessTokenKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->alg(), Algorithm::kHs256);
  EXPECT_TRUE(store.PublicJwks().at("keys").as_array().empty());
  EXPECT_FALSE(fs::exists(root_ / "data"));
}

TEST_F(KeyStoreTest, NothingConfiguredMeansNothingToSignWith) {
  auto store = MustLoad(KeyStoreOptions{});
  auto key = store.AccessTokenKey();
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, "config");
  EXPECT_NE(key.error().message.find("AGENTBASE_JWT_SECRET"), std::string::npos);
  EXPECT_TRUE(store.AnonKey().empty());
  EXPECT_FALSE(store.ApiKey("anon", 0, 60).ok());
}

TEST_F(KeyStoreTest, ShortSecretsAreRefused) {
  KeyStoreOptions options;
  options.jwt_secret = "too-short";
  auto store = KeyStore::Load(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "config");

  auto with_dir = WithKeyDir();
  fs::create_directories(with_dir.key_dir);
  std::ofstream(with_dir.key_dir / "jwt-secret") << "short\n";
  fs::permissions(with_dir.key_dir / "jwt-secret", fs::perms::owner_read | fs::perms::owner_write);
  auto from_file = KeyStore::Load(with_dir);
  ASSERT_FALSE(from_file.ok());
  EXPECT_NE(from_file.error().message.find("jwt-secret"), std::string::npos);
}

TEST_F(KeyStoreTest, SecretFileIsTrimmed) {
  auto options = WithKeyDir();
  fs::create_directories(options.key_dir);
  std::ofstream(options.key_dir / "jwt-secret") << "  " << kSecret << "\r\n";
  fs::permissions(options.key_dir / "jwt-secret", fs::perms::owner_read | fs::perms::owner_write);
  auto store = MustLoad(options);
  EXPECT_EQ(store.SecretKey()->secret(), kSecret);
}

TEST_F(KeyStoreTest, ConfiguredJwksInlineOrFromAFileAddsVerificationKeys) {
  auto other = SigningKey::GenerateEs256("other-issuer");
  ASSERT_TRUE(other.ok());
  auto jwk = other->PublicKey().ToPublicJwk();
  ASSERT_TRUE(jwk.ok());
  boost::json::object jwks;
  jwks["keys"] = boost::json::array{*jwk};
  boost::json::object claims;
  claims["sub"] = "someone";
  auto foreign_token = Sign(claims, *other);
  ASSERT_TRUE(foreign_token.ok());

  KeyStoreOptions inline_options;
  inline_options.jwks = boost::json::serialize(jwks);
  auto inline_store = MustLoad(inline_options);
  EXPECT_TRUE(Verify(*foreign_token, inline_store.Verification()).ok());
  EXPECT_EQ(inline_store.PublicJwks().at("keys").as_array().size(), 1u);

  fs::path file = root_ / "jwks.json";
  std::ofstream(file) << boost::json::serialize(*jwk);  // a single JWK works too
  KeyStoreOptions file_options = WithKeyDir();
  file_options.jwks = file.string();
  auto file_store = MustLoad(file_options);
  EXPECT_TRUE(Verify(*foreign_token, file_store.Verification()).ok());
  EXPECT_EQ(file_store.Verification().size(), 3u);  // ES256 + secret + the configured key

  KeyStoreOptions missing;
  missing.jwks = (root_ / "nope.json").string();
  EXPECT_FALSE(KeyStore::Load(missing).ok());
  KeyStoreOptions garbage;
  garbage.jwks = "{not json";
  EXPECT_FALSE(KeyStore::Load(garbage).ok());
}

TEST_F(KeyStoreTest, OwnKeyListedInTheJwksIsNotADuplicateButAClashingKidIs) {
  auto store = MustLoad(WithKeyDir());
  auto own = store.PublicJwks();

  auto again_options = WithKeyDir();
  again_options.jwks = boost::json::serialize(own);
  auto again = MustLoad(again_options);
  EXPECT_EQ(again.Verification().size(), 2u);

  auto impostor = SigningKey::GenerateEs256(store.AccessTokenKey()->kid());
  ASSERT_TRUE(impostor.ok());
  auto clashing_options = WithKeyDir();
  clashing_options.jwks = boost::json::serialize(*impostor->PublicKey().ToPublicJwk());
  EXPECT_FALSE(KeyStore::Load(clashing_options).ok());
}

TEST_F(KeyStoreTest, ConcurrentFirstUsesAgreeOnOneKey) {
  // Several loaders race to create the files; the losers must use the
  // winner's keys rather than their own.
  auto options = WithKeyDir();
  constexpr int kLoaders = 8;
  std::vector<std::string> kids(kLoaders);
  std::vector<std::string> anon_keys(kLoaders);
  std::vector<std::thread> threads;
  for (int i = 0; i < kLoaders; ++i) {
    threads.emplace_back([&, i] {
      auto store = KeyStore::Load(options);
      if (!store) return;
      kids[i] = store->AccessTokenKey()->kid();
      anon_keys[i] = store->AnonKey();
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kLoaders; ++i) {
    EXPECT_FALSE(kids[i].empty());
    EXPECT_EQ(kids[i], kids[0]);
    EXPECT_EQ(anon_keys[i], anon_keys[0]);
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(options.key_dir), fs::directory_iterator()), 2);
}

}  // namespace
}  // namespace agentbase::auth
