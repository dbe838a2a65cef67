// Writes the seed corpus of fuzz_jwt_verify and fuzz_jwk: tokens signed with
// the test keys in tests/fuzz/keys (and the HS256 secret the target uses),
// with claims that reach every check of Verify, and the keys' public JWKs.
// Run once by hand when the keys or the claims change (docs/fuzzing.md):
//   g++ -std=c++20 -Isrc tests/fuzz/tools/make_jwt_seeds.cpp src/auth/{jwt,jwk,openssl_handles}.cpp \
//       src/util/{base64url,checksum,text}.cpp -lboost_json -lcrypto -o /tmp/make_jwt_seeds
//   /tmp/make_jwt_seeds tests/fuzz
// The public JWKs it prints are the ones fuzz_jwt_verify.cpp embeds.

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "auth/jwk.hpp"
#include "auth/jwt.hpp"

using namespace agentbase;
namespace json = boost::json;

namespace {

// The fuzz targets verify at this fixed time, so seeds stay valid (or expired) forever.
constexpr std::int64_t kNow = 1'800'000'000;
constexpr const char* kSecret = "fuzzing-secret-of-at-least-32-bytes!!";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A seed that cannot be written must stop the tool: a silently missing
// directory would leave the corpus without it.
void WriteFile(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

auth::SigningKey Load(const std::string& path, const std::string& kid) {
  auto key = auth::SigningKey::FromPrivateKeyPem(ReadFile(path), kid);
  if (!key) throw std::runtime_error(key.error().message);
  return *key;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_jwt_seeds <tests/fuzz>\n";
    return 2;
  }
  std::string root = argv[1];
  auto es256 = Load(root + "/keys/es256-private.pem", "fuzz-ec");
  auto rs256 = Load(root + "/keys/rs256-private.pem", "fuzz-rsa");
  auto hs256 = auth::SigningKey::FromSecret(kSecret, "").value();

  json::object base{{"sub", "8d0f7e2a-1f5e-4c1d-9a61-3f9b1c2d4e5f"},
                    {"role", "authenticated"},
                    {"aud", "authenticated"},
                    {"iat", kNow - 60},
                    {"exp", kNow + 3600}};
  struct Variant {
    const char* name;
    json::object claims;
  };
  std::vector<Variant> variants;
  variants.push_back({"valid", base});
  auto expired = base;
  expired["exp"] = kNow - 3600;
  variants.push_back({"expired", expired});
  auto early = base;
  early["nbf"] = kNow + 3600;
  variants.push_back({"not_yet_valid", early});
  auto audiences = base;
  audiences["aud"] = json::array{"other", "authenticated"};
  variants.push_back({"audience_list", audiences});
  auto odd = base;
  odd["role"] = 42;
  odd["exp"] = 1.8e9 + 0.5;
  odd["app_metadata"] = json::object{{"tenant_id", "t1"}, {"roles", json::array{"a", "b"}}};
  variants.push_back({"odd_types", odd});
  json::object anon{{"role", "anon"}, {"iss", "agentbase"}};
  variants.push_back({"anon_no_exp", anon});

  std::string corpus = root + "/corpus/fuzz_jwt_verify/";
  for (const auto& [name, key] : {std::pair{"hs256", &hs256}, {"es256", &es256}, {"rs256", &rs256}}) {
    for (const auto& variant : variants) {
      // Not every variant for every key: the algorithms share the claim checks.
      if (std::string(name) != "hs256" && std::string(variant.name) != "valid" &&
          std::string(variant.name) != "expired") {
        continue;
      }
      WriteFile(corpus + name + "_" + variant.name, auth::Sign(variant.claims, *key).value());
    }
  }
  std::string jwk_corpus = root + "/corpus/fuzz_jwk/";
  auto ec_public = es256.PublicKey().ToPublicJwk().value();
  auto rsa_public = rs256.PublicKey().ToPublicJwk().value();
  WriteFile(jwk_corpus + "ec_jwk", json::serialize(ec_public));
  WriteFile(jwk_corpus + "rsa_jwk", json::serialize(rsa_public));
  WriteFile(jwk_corpus + "jwks_three_keys",
            json::serialize(json::object{
                {"keys", json::array{ec_public, rsa_public,
                                     json::object{{"kty", "oct"},
                                                  {"k", "ZnV6emluZy1zZWNyZXQtb2YtYXQtbGVhc3QtMzItYnl0ZXMhIQ"},
                                                  {"alg", "HS256"},
                                                  {"kid", "fuzz-oct"}}}}}));
  std::cout << "EC  " << json::serialize(ec_public) << "\nRSA " << json::serialize(rsa_public) << "\n";
  return 0;
}
