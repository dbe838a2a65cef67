#pragma once
// real[] in PostgreSQL's binary format, the way embeddings travel between the
// server and the database: no number is written or parsed as decimal text.

#include <span>
#include <string>
#include <string_view>

namespace agentbase::db {

// A one-dimensional real[] without nulls as array_send writes it and
// array_recv reads it: five big-endian words (1 dimension, no nulls, element
// type float4, the length, lower bound 1), then each element's byte length
// (4) and the float's bits.
std::string RealArraySend(std::span<const float> values);

// The elements of such bytes, into `out`: false unless the bytes are one
// dimension of exactly out.size() elements (any lower bound), without nulls,
// each a finite float4.
bool RealArrayRecv(std::string_view bytes, std::span<float> out);

}  // namespace agentbase::db
