#pragma once
// The web console's files (console/, built by Vite), compiled into the
// binary by cmake/embed_console.cmake, each with its gzip form made at
// build time.

#include <string_view>
#include <vector>

namespace agentbase::console {

struct Asset {
  std::string_view path;    // as requested: "/index.html", "/assets/index-3f2a.js"
  std::string_view body;    // the file's bytes
  std::string_view gzip;    // the same, gzip-compressed; empty where that saves nothing
  std::string_view digest;  // the start of the file's SHA-256 in hex: its ETag
};

// Empty when the binary was built without the console (-DAGENTBASE_CONSOLE=OFF).
const std::vector<Asset>& EmbeddedAssets();

}  // namespace agentbase::console
