#pragma once
// The bounds of /realtime/v1 (README, "Bounds"): what one client may do
// before it is refused, so that a hostile or broken one cannot hurt others.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "http/websocket.hpp"

namespace agentbase::realtime {

struct RealtimeOptions {
  // Roles a token may name (as for REST); others are refused.
  std::vector<std::string> jwt_roles = {"anon", "authenticated", "service_role"};
  std::optional<std::string> jwt_audience;
  // Frame size (1009 beyond), send queue (dropped beyond), idle timeout.
  http::WebSocketLimits socket;
  size_t max_channels_per_socket = 100;
  size_t max_bindings_per_join = 100;
  // Every frame a socket sends counts; beyond this in one second the socket
  // is closed with 1008 (policy violation).
  size_t max_messages_per_second = 200;
  // Broadcasts from one socket; beyond, the channel is shut with Supabase's
  // "Too many messages per second" system message.
  size_t max_broadcasts_per_second = 100;
  // Presence track/untrack per channel per window; beyond, the channel is
  // shut with "Client presence rate limit exceeded" (Supabase: 5 per 30 s).
  size_t max_presence_per_window = 10;
  std::chrono::seconds presence_window{30};
  // What a channel keeps for its lifetime, per channel: the serialized
  // postgres_changes of its join, and its tracked presence (both are held in
  // memory, so a frame's 1 MiB is far too much).
  size_t max_join_bindings_bytes = 64 * 1024;
  size_t max_presence_bytes = 8 * 1024;
  // Messages in one POST /realtime/v1/api/broadcast.
  size_t max_rest_messages = 100;
};

}  // namespace agentbase::realtime
