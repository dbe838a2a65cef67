#include "app/demo.hpp"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <fstream>

#include "auth/user_store.hpp"
#include "util/base64url.hpp"

namespace agentbase::app {

namespace {

constexpr const char* kDemoEmail = "demo@agentbase.local";
constexpr const char* kDemoTenant = "demo";

std::string SignInLines(const std::string& email, const std::string& password) {
  return "  demo sign-in: " + email + " / " + password + "  (tenant \"" + kDemoTenant +
         "\"; supabase.auth.signInWithPassword)\n";
}

}  // namespace

Result<std::string> EnsureDemoUser(db::Connection& admin, const std::filesystem::path& data_dir) {
  std::filesystem::path file = data_dir / "demo-user";
  std::ifstream existing(file);
  std::string email;
  std::string password;
  if (std::getline(existing, email) && std::getline(existing, password)) return SignInLines(email, password);

  auto users = auth::CountUsers(admin);
  if (!users) return users.error();
  if (*users > 0) return std::string();  // someone else's data: no demo

  unsigned char random[12];
  if (RAND_bytes(random, sizeof random) != 1) return Error::Make("no randomness for the demo password");
  password = Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  auth::NewUser demo{kDemoEmail, password, kDemoTenant, "Demo tenant", "owner", false};
  auto created = auth::CreateUser(admin, demo);
  if (!created) return created.error();
  {
    std::ofstream out(file, std::ios::trunc);
    out << kDemoEmail << "\n" << password << "\n";
  }
  chmod(file.c_str(), 0600);
  return SignInLines(kDemoEmail, password);
}

}  // namespace agentbase::app
