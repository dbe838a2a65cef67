#include "db/real_array.hpp"

#include <bit>
#include <cmath>
#include <cstdint>

namespace agentbase::db {

namespace {

constexpr uint32_t kFloat4Oid = 700;
constexpr size_t kHeaderBytes = 20;
constexpr size_t kElementBytes = 8;  // its length, then the float

void PutWord(char*& at, uint32_t word) {
  for (int shift = 24; shift >= 0; shift -= 8) *at++ = static_cast<char>((word >> shift) & 0xff);
}

uint32_t GetWord(const char*& at) {
  uint32_t word = 0;
  for (int i = 0; i < 4; ++i) word = (word << 8) | static_cast<unsigned char>(*at++);
  return word;
}

}  // namespace

std::string RealArraySend(std::span<const float> values) {
  // Written in place: appending byte by byte cost more than the numbers.
  std::string out(kHeaderBytes + values.size() * kElementBytes, '\0');
  char* at = out.data();
  PutWord(at, 1);  // dimensions
  PutWord(at, 0);  // no nulls
  PutWord(at, kFloat4Oid);
  PutWord(at, static_cast<uint32_t>(values.size()));
  PutWord(at, 1);  // lower bound
  for (float value : values) {
    PutWord(at, 4);
    PutWord(at, std::bit_cast<uint32_t>(value));
  }
  return out;
}

bool RealArrayRecv(std::string_view bytes, std::span<float> out) {
  if (bytes.size() != kHeaderBytes + out.size() * kElementBytes) return false;
  const char* at = bytes.data();
  uint32_t dimensions = GetWord(at);
  uint32_t has_nulls = GetWord(at);
  uint32_t element_type = GetWord(at);
  uint32_t length = GetWord(at);
  GetWord(at);  // the lower bound: any
  if (dimensions != 1 || has_nulls != 0 || element_type != kFloat4Oid || length != out.size()) return false;
  for (float& value : out) {
    if (GetWord(at) != 4) return false;
    value = std::bit_cast<float>(GetWord(at));
    if (!std::isfinite(value)) return false;
  }
  return true;
}

}  // namespace agentbase::db
