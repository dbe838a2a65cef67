#pragma once
// How the console's files are answered: content types, gzip when the client
// takes it, ETags and 304, caching (hashed file names for a year, the rest
// revalidated every time), a Content-Security-Policy that lets the page reach
// nothing but this server, and index.html for the paths the page routes
// itself (/chat/<id>). The router decides which paths reach it; this folder
// knows nothing of HTTP messages, only of their parts.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "console/assets.hpp"

namespace agentbase::console {

// Written into index.html in place of this text when the site is made: the
// page's supabase-js client needs the anon key, which is public by design.
inline constexpr std::string_view kAnonKeyPlaceholder = "__AGENTBASE_ANON_KEY__";

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;  // points into the site's files: valid while the site lives
};

class Site {
 public:
  Site(const std::vector<Asset>& assets, std::string_view anon_key);
  Site(const Site&) = delete;
  Site& operator=(const Site&) = delete;

  bool Empty() const { return files_.empty(); }

  // The answer to a GET or HEAD of `path` with the request's Accept-Encoding
  // and If-None-Match, or nullopt when the console has nothing there: a
  // missing file (a name with an extension, or under /assets/).
  std::optional<Reply> Answer(std::string_view path, std::string_view accept_encoding,
                              std::string_view if_none_match) const;

 private:
  struct File {
    std::string_view body;
    std::string_view gzip;
    std::string etag;
    std::string_view content_type;
    bool immutable = false;
  };
  std::string index_html_;  // with the anon key written in
  std::map<std::string, File, std::less<>> files_;
};

std::string_view ContentTypeFor(std::string_view path);
// Whether an Accept-Encoding header allows gzip (gzip or *, without q=0).
bool AcceptsGzip(std::string_view accept_encoding);
// Whether an If-None-Match header names this ETag (or is *).
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace agentbase::console
