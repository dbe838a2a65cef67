#include "console/site.hpp"

#include <array>

#include "util/checksum.hpp"
#include "util/text.hpp"

namespace agentbase::console {

namespace {

// Vite names what it builds under /assets/ by content hash: a changed file
// gets a new name, so these may be kept for good.
constexpr std::string_view kHashedPrefix = "/assets/";

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string LowerCase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// Splits a comma-separated header value, calling visit on each trimmed item.
template <typename Visit>
void ForEachItem(std::string_view list, Visit visit) {
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    if (!item.empty()) visit(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// The quality of an Accept-Encoding item ("gzip;q=0.5"): 1 unless given.
double Quality(std::string_view parameters) {
  auto at = parameters.find("q=");
  if (at == std::string_view::npos) return 1.0;
  std::string value(Trim(parameters.substr(at + 2)));
  try {
    return std::stod(value);
  } catch (...) {
    return 0.0;  // an unreadable weight counts as a refusal
  }
}

std::string HtmlAttributeEscape(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '"': escaped += "&quot;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool HasExtension(std::string_view path) {
  auto slash = path.rfind('/');
  return path.find('.', slash == std::string_view::npos ? 0 : slash) != std::string_view::npos;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (EndsWith(path, extension)) return type;
  }
  return "application/octet-stream";
}

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<double> gzip;
  std::optional<double> any;
  ForEachItem(accept_encoding, [&](std::string_view item) {
    auto semicolon = item.find(';');
    std::string coding = LowerCase(Trim(item.substr(0, semicolon)));
    double quality = semicolon == std::string_view::npos ? 1.0 : Quality(item.substr(semicolon + 1));
    if (coding == "gzip" || coding == "x-gzip") gzip = quality;
    if (coding == "*") any = quality;
  });
  if (gzip) return *gzip > 0;
  return any && *any > 0;
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  bool matched = false;
  ForEachItem(if_none_match, [&](std::string_view item) {
    if (StartsWith(item, "W/")) item.remove_prefix(2);  // If-None-Match compares weakly
    if (item == "*" || item == etag) matched = true;
  });
  return matched;
}

Site::Site(const std::vector<Asset>& assets, std::string_view anon_key) {
  for (const Asset& asset : assets) {
    File file{asset.body, asset.gzip, "\"" + std::string(asset.digest) + "\"", ContentTypeFor(asset.path),
              StartsWith(asset.path, kHashedPrefix)};
    if (asset.path == "/index.html") {
      std::string html(asset.body);
      auto at = html.find(kAnonKeyPlaceholder);
      if (at != std::string::npos) html.replace(at, kAnonKeyPlaceholder.size(), HtmlAttributeEscape(anon_key));
      index_html_ = std::move(html);
      // Its text now differs per server (the key), and is small: served as it is.
      file.body = index_html_;
      file.gzip = {};
      file.etag = "\"" + Sha256Hex(index_html_).substr(0, 20) + "\"";
    }
    files_.emplace(std::string(asset.path), std::move(file));
  }
}

std::optional<Reply> Site::Answer(std::string_view path, std::string_view accept_encoding,
                                  std::string_view if_none_match) const {
  auto found = files_.find(path == "/" ? std::string_view("/index.html") : path);
  if (found == files_.end()) {
    // A path the page routes itself (/chat/<id>): the page, which reads it.
    // A missing file is missing, not the page (a stale script would be
    // handed HTML).
    if (StartsWith(path, kHashedPrefix) || HasExtension(path)) return std::nullopt;
    found = files_.find(std::string_view("/index.html"));
    if (found == files_.end()) return std::nullopt;
  }
  const File& file = found->second;
  bool gzipped = !file.gzip.empty() && AcceptsGzip(accept_encoding);
  // Each encoding is a different representation, so it has its own ETag.
  std::string etag = gzipped ? file.etag.substr(0, file.etag.size() - 1) + "-gzip\"" : file.etag;

  Reply reply;
  reply.headers = {
      {"Content-Type", std::string(file.content_type)},
      {"Cache-Control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache"},
      {"ETag", etag},
      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  };
  if (!file.gzip.empty()) reply.headers.emplace_back("Vary", "Accept-Encoding");
  if (EtagMatches(if_none_match, etag)) {
    reply.status = 304;
    return reply;
  }
  if (gzipped) reply.headers.emplace_back("Content-Encoding", "gzip");
  reply.body = gzipped ? file.gzip : file.body;
  return reply;
}

}  // namespace agentbase::console
