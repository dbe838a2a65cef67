#include "http/response_head.hpp"

#include <gtest/gtest.h>

namespace agentbase::http {
namespace {

Response Make(int status, HeaderList headers, std::string body) {
  Response response;
  response.status = status;
  response.headers = std::move(headers);
  response.body = std::move(body);
  return response;
}

TEST(ResponseHead, StatusLineHeadersInOrderServerAndLength) {
  auto response = Make(206, {{"Content-Type", "application/json"}, {"Content-Range", "0-1/*"}}, "[1,2]");
  EXPECT_EQ(ResponseHead(response, 11, true),
            "HTTP/1.1 206 Partial Content\r\n"
            "Content-Type: application/json\r\n"
            "Content-Range: 0-1/*\r\n"
            "Server: agentbase\r\n"
            "Content-Length: 5\r\n"
            "\r\n");
}

TEST(ResponseHead, ConnectionHeaderOnlyWhereTheVersionDefaultDiffers) {
  auto response = Make(200, {}, "");
  EXPECT_EQ(ResponseHead(response, 11, false),
            "HTTP/1.1 200 OK\r\nServer: agentbase\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(ResponseHead(response, 10, true),
            "HTTP/1.0 200 OK\r\nServer: agentbase\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(ResponseHead(response, 10, false), "HTTP/1.0 200 OK\r\nServer: agentbase\r\nContent-Length: 0\r\n\r\n");
}

TEST(ResponseHead, NoLengthOn204And304) {
  EXPECT_EQ(ResponseHead(Make(204, {}, ""), 11, true), "HTTP/1.1 204 No Content\r\nServer: agentbase\r\n\r\n");
  EXPECT_EQ(ResponseHead(Make(304, {}, ""), 11, true), "HTTP/1.1 304 Not Modified\r\nServer: agentbase\r\n\r\n");
  EXPECT_FALSE(StatusHasBody(204));
  EXPECT_TRUE(StatusHasBody(201));
}

TEST(ResponseHead, ServerOwnedAndUnsafeHeadersAreDropped) {
  auto response = Make(200,
                       {{"content-length", "999"},
                        {"Transfer-Encoding", "chunked"},
                        {"Connection", "upgrade"},
                        {"X-Split", "a\r\nSet-Cookie: evil=1"},
                        {"Bad Name", "x"},
                        {"", "x"},
                        {"X-Nul", std::string("a\0b", 3)},
                        {"Server", "custom"},
                        {"X-Fine", "yes"}},
                       "abc");
  EXPECT_EQ(ResponseHead(response, 11, true),
            "HTTP/1.1 200 OK\r\nServer: custom\r\nX-Fine: yes\r\nContent-Length: 3\r\n\r\n");
}

TEST(ResponseHead, UnknownStatusHasAnEmptyReason) {
  EXPECT_EQ(ResponseHead(Make(599, {}, "x"), 11, true),
            "HTTP/1.1 599 \r\nServer: agentbase\r\nContent-Length: 1\r\n\r\n");
  EXPECT_EQ(ReasonPhrase(416), "Range Not Satisfiable");
}

}  // namespace
}  // namespace agentbase::http
