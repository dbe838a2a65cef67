#include "app/scale_seed.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <ctime>
#include <string_view>
#include <vector>

#include "auth/auth_queries.hpp"
#include "auth/claims.hpp"
#include "util/base64url.hpp"

namespace agentbase::app {

namespace {

namespace json = boost::json;

constexpr std::size_t kCopyChunkBytes = 1 << 20;
constexpr long long kSecondsPerDay = 86400;
constexpr long long kSpreadDays = 90;  // conversations began within the last 90 days

// splitmix64: a small, fast generator; the data needs variety, not secrecy.
struct Random {
  std::uint64_t state;
  std::uint64_t Next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t Below(std::size_t n) { return static_cast<std::size_t>(Next() % n); }
  template <std::size_t N>
  std::string_view Pick(const std::array<std::string_view, N>& words) {
    return words[Below(N)];
  }
};

// Time-ordered ids (UUID version 7: the run's start in milliseconds, then a
// per-run random part and a counter), so each table's primary key index is
// appended to at its right edge instead of written all over.
class IdMaker {
 public:
  explicit IdMaker(std::uint64_t run_random) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
    high_ = (static_cast<std::uint64_t>(ms) << 16) | 0x7000 | (run_random & 0x0fff);
    low_base_ = 0x8000000000000000ULL | (((run_random >> 12) & 0x3fffff) << 40);
  }
  void Append(std::string& out, std::uint64_t counter) const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t low = low_base_ | (counter & 0xffffffffffULL);
    char text[36];
    int at = 0;
    for (int i = 0; i < 32; ++i) {
      if (i == 8 || i == 12 || i == 16 || i == 20) text[at++] = '-';
      std::uint64_t half = i < 16 ? high_ : low;
      int shift = 60 - 4 * (i % 16);
      text[at++] = kHex[(half >> shift) & 0xf];
    }
    out.append(text, sizeof text);
  }

 private:
  std::uint64_t high_;
  std::uint64_t low_base_;
};

void AppendTimestamp(std::string& out, long long epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02} {:02}:{:02}:{:02}+00", utc.tm_year + 1900, utc.tm_mon + 1,
                 utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

// Words for plausible chat text, varied enough for full-text search to have
// something to rank.
constexpr std::array<std::string_view, 8> kOpenings = {
    "Hi,", "Hello!", "Quick question:", "Can you help?", "Morning.", "Thanks for earlier.", "Following up:", "Hey,"};
constexpr std::array<std::string_view, 12> kAsks = {
    "can you check",          "please summarise", "what is the status of", "could you draft a reply about",
    "I need the numbers for", "remind me about",  "find everything on",    "explain",
    "book a call about",      "compare",          "update me on",          "flag any risk in"};
constexpr std::array<std::string_view, 16> kSubjects = {"the Q3 invoice batch",
                                                        "order NW-",
                                                        "the onboarding checklist",
                                                        "our refund policy",
                                                        "the Berlin warehouse",
                                                        "ticket T-",
                                                        "the renewal for account A-",
                                                        "the pricing page",
                                                        "last week's outage",
                                                        "the hiring plan",
                                                        "shipment S-",
                                                        "the supplier contract",
                                                        "the churn report",
                                                        "the release notes",
                                                        "the security review",
                                                        "the expense report"};
constexpr std::array<std::string_view, 10> kDetails = {
    "before Friday",   "for the board deck",    "in two sentences",     "with the totals",
    "and who owns it", "since the last update", "for the EU customers", "compared to last month",
    "as a table",      "if anything changed"};
constexpr std::array<std::string_view, 10> kAnswers = {
    "I checked it:",     "Here is a summary:",    "Done.",          "Good news:", "Short version:",
    "I looked into it.", "Here is what I found:", "Status update:", "Sure.",      "Based on the records:"};
constexpr std::array<std::string_view, 12> kFindings = {"everything is on track",
                                                        "two items are still open",
                                                        "the totals match the ledger",
                                                        "the customer was refunded yesterday",
                                                        "the delivery is delayed by a day",
                                                        "the owner is the finance team",
                                                        "the numbers rose 4% on last month",
                                                        "a follow-up is booked for Tuesday",
                                                        "no action is needed",
                                                        "one line needs approval",
                                                        "the draft is ready for review",
                                                        "the risk is low"};
constexpr std::array<std::string_view, 10> kTitles = {
    "Invoice questions", "Order follow-up", "Weekly report",    "Customer escalation", "Onboarding help",
    "Refund request",    "Hiring pipeline", "Release planning", "Supplier review",     "Account renewal"};

void AppendUserText(std::string& out, Random& random) {
  out += random.Pick(kOpenings);
  out += ' ';
  out += random.Pick(kAsks);
  out += ' ';
  std::string_view subject = random.Pick(kSubjects);
  out += subject;
  if (subject.back() == '-') fmt::format_to(std::back_inserter(out), "{}", 1000 + random.Below(90000));
  out += ' ';
  out += random.Pick(kDetails);
  out += '?';
}

void AppendAssistantText(std::string& out, Random& random) {
  out += random.Pick(kAnswers);
  out += ' ';
  std::string_view finding = random.Pick(kFindings);
  out += finding;
  out += "; ";
  out += random.Pick(kFindings);
  out += '.';
}

struct Tenant {
  std::string id;
  std::vector<std::string> users;
  std::vector<std::string> agents;
};

std::string Slug(int tenant) { return fmt::format("scale-{:02}", tenant + 1); }

Status RefuseForeignTenants(db::Connection& admin) {
  auto foreign = admin.Exec(
      "SELECT string_agg(slug, ', ' ORDER BY slug) FROM public.tenants "
      "WHERE slug ~ '^scale-[0-9]{2}$' AND settings->>'agentbase_seed' IS DISTINCT FROM 'scale'");
  if (!foreign) return foreign.error();
  if (!foreign->IsNull(0, 0)) {
    Error error = Error::Conflict("tenant " + foreign->Text(0, 0) + " exists and is not scale data", "not_scale");
    error.hint = "nothing was changed; --scale writes only into tenants it made (settings.agentbase_seed = 'scale')";
    return error;
  }
  return Ok();
}

// The ten tenants with their users and agents, made once.
Result<std::vector<Tenant>> EnsureTenants(db::Connection& admin, ScaleReport& report) {
  std::vector<Tenant> tenants(kScaleTenants);
  std::optional<std::string> hash;  // one bcrypt hash for every new user: bcrypt is slow on purpose
  for (int t = 0; t < kScaleTenants; ++t) {
    std::string slug = Slug(t);
    auto tenant = admin.ExecParams(
        "WITH made AS (INSERT INTO public.tenants (name, slug, settings) "
        "VALUES ($1::text, $2::text, '{\"agentbase_seed\": \"scale\"}') ON CONFLICT (slug) DO NOTHING RETURNING id) "
        "SELECT id::text FROM made UNION ALL SELECT id::text FROM public.tenants WHERE slug = $2::text",
        db::Params{"Scale tenant " + std::to_string(t + 1), slug});
    if (!tenant) return tenant.error();
    tenants[t].id = tenant->Text(0, 0);

    for (int u = 0; u < kScaleUsersPerTenant; ++u) {
      std::string email = fmt::format("user-{:02}@{}.example", u + 1, slug);
      auto existing =
          admin.ExecParams("SELECT id::text FROM auth.users WHERE lower(email) = $1::text", db::Params{email});
      if (!existing) return existing.error();
      if (existing->Rows() > 0) {
        tenants[t].users.push_back(existing->Text(0, 0));
        continue;
      }
      if (!hash) {
        unsigned char random[12];
        if (RAND_bytes(random, sizeof random) != 1) return Error::Internal("no randomness for a password");
        report.password = Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
        auto hashed =
            admin.ExecParams("SELECT " + auth::queries::HashPasswordExpression("$1"), db::Params{*report.password});
        if (!hashed) return hashed.error();
        hash = hashed->Text(0, 0);
      }
      json::object stored{{"tenant_id", tenants[t].id}};
      auto user = admin.ExecParams(
          "INSERT INTO auth.users (aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data) "
          "VALUES ('authenticated', 'authenticated', $1::text, $2::text, now(), $3::jsonb) RETURNING id::text",
          db::Params{email, *hash, json::serialize(auth::AppMetadata(stored))});
      if (!user) return user.error();
      std::string user_id = user->Text(0, 0);
      auto profile = admin.ExecParams(
          "INSERT INTO public.profiles (id, tenant_id, display_name, role) VALUES ($1::uuid, $2::uuid, $3::text, "
          "$4::text) ON CONFLICT (id) DO NOTHING",
          db::Params{user_id, tenants[t].id, fmt::format("Scale user {} of {}", u + 1, slug),
                     std::string(u == 0 ? "owner" : "member")});
      if (!profile) return profile.error();
      tenants[t].users.push_back(std::move(user_id));
      ++report.users_created;
    }

    for (int a = 0; a < kScaleAgentsPerTenant; ++a) {
      // A fixed id per tenant and number, so a second run finds the same agents.
      auto agent = admin.ExecParams(
          "WITH made AS (INSERT INTO public.agents (id, tenant_id, name, description, model) "
          "VALUES (md5('agentbase-scale:agent:' || $2::text || '/' || $3::text)::uuid, $1::uuid, $4::text, "
          "'Generated by agentbase seed --scale', 'gpt-4o-mini') ON CONFLICT (id) DO NOTHING RETURNING id) "
          "SELECT id::text FROM made UNION ALL "
          "SELECT id::text FROM public.agents WHERE id = md5('agentbase-scale:agent:' || $2::text || '/' || "
          "$3::text)::uuid",
          db::Params{tenants[t].id, slug, std::to_string(a + 1), fmt::format("Scale agent {}", a + 1)});
      if (!agent) return agent.error();
      tenants[t].agents.push_back(agent->Text(0, 0));
    }
  }
  return tenants;
}

// Writes rows through one COPY, in chunks, reporting progress.
class CopyWriter {
 public:
  CopyWriter(db::CopyIn copy, const ScaleOptions& options, long long& done, long long total)
      : copy_(std::move(copy)), options_(options), done_(done), total_(total) {
    buffer_.reserve(kCopyChunkBytes + 4096);
  }
  std::string& Row() { return buffer_; }
  Status EndRow() {
    ++done_;
    if (buffer_.size() < kCopyChunkBytes) return Ok();
    return Flush();
  }
  Result<long long> End() {
    if (auto flushed = Flush(); !flushed) return flushed.error();
    return copy_.End();
  }

 private:
  Status Flush() {
    if (auto put = copy_.Put(buffer_); !put) return put.error();
    buffer_.clear();
    if (options_.progress) options_.progress(done_, total_);
    return Ok();
  }
  db::CopyIn copy_;
  const ScaleOptions& options_;
  long long& done_;
  long long total_;
  std::string buffer_;
};

struct ConversationPlan {
  std::size_t tenant;
  std::size_t user;
  std::optional<std::size_t> agent;
  long long start;  // epoch seconds of its first message
  int messages;
  std::uint64_t seed;  // of its messages' text
};

// Everything about conversation `c` follows from its number and the run's
// seed, so the messages' pass can recompute what the conversations' pass
// wrote without keeping it in memory.
ConversationPlan Plan(long long c, long long conversations, long long total_messages, std::uint64_t run_seed,
                      long long now, const std::vector<Tenant>& tenants) {
  Random random{run_seed ^ (static_cast<std::uint64_t>(c) * 0x2545f4914f6cdd1dULL)};
  ConversationPlan plan;
  plan.tenant = static_cast<std::size_t>(c % kScaleTenants);
  plan.user = random.Below(tenants[plan.tenant].users.size());
  std::size_t agent = random.Below(tenants[plan.tenant].agents.size() + 1);
  if (agent < tenants[plan.tenant].agents.size()) plan.agent = agent;  // else a conversation without an agent
  plan.start = now - kSecondsPerDay * kSpreadDays + static_cast<long long>(random.Below(kSecondsPerDay * kSpreadDays));
  plan.messages = c + 1 < conversations
                      ? kScaleMessagesPerConversation
                      : static_cast<int>(total_messages - (conversations - 1) * kScaleMessagesPerConversation);
  plan.seed = random.Next();
  return plan;
}

// Message i of a conversation is sent 1 to 3 minutes after the one before.
long long MessageTime(long long start, int i) { return start + 120LL * i + (i * 37) % 60; }

}  // namespace

Result<ScaleReport> SeedScale(db::Connection& admin, const ScaleOptions& options) {
  if (options.messages < 1 || options.messages > kMaxScaleMessages) {
    return Error::Usage("--scale must be between 1 and " + std::to_string(kMaxScaleMessages));
  }
  ScaleReport report;
  report.messages = options.messages;
  report.conversations = (options.messages + kScaleMessagesPerConversation - 1) / kScaleMessagesPerConversation;

  db::Transaction transaction(admin);
  if (auto begun = transaction.Begin(); !begun) return begun.error();
  if (auto locked = admin.Exec("SELECT pg_advisory_xact_lock(hashtext('agentbase seed --scale'))"); !locked) {
    return locked.error();
  }
  if (auto refused = RefuseForeignTenants(admin); !refused) return refused.error();
  auto tenants = EnsureTenants(admin, report);
  if (!tenants) return tenants.error();

  // The rows are consistent by construction (a message's tenant is its
  // conversation's, last_message_at is set to the last message's time), so
  // where allowed the per-row triggers and foreign-key checks are skipped,
  // as pg_restore does: they would cost more than the copy itself.
  if (auto savepoint = admin.Exec("SAVEPOINT scale_replica"); !savepoint) return savepoint.error();
  if (auto replica = admin.Exec("SET LOCAL session_replication_role = replica"); replica) {
    report.triggers_skipped = true;
  } else if (replica.error().code != "42501") {
    return replica.error();
  } else if (auto back = admin.Exec("ROLLBACK TO SAVEPOINT scale_replica"); !back) {
    return back.error();  // not a superuser: the triggers run, only slower
  }

  unsigned char seed_bytes[16];
  if (RAND_bytes(seed_bytes, sizeof seed_bytes) != 1) return Error::Internal("no randomness for the run's seed");
  std::uint64_t run_seed = 0;
  std::uint64_t id_random = 0;
  std::memcpy(&run_seed, seed_bytes, 8);
  std::memcpy(&id_random, seed_bytes + 8, 8);
  IdMaker conversation_ids(id_random);
  IdMaker message_ids(id_random ^ 0x5bd1e995ULL);
  long long now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  long long total_rows = report.conversations + report.messages;
  long long done = 0;

  auto conversation_copy = admin.CopyFrom(
      "COPY public.conversations (id, tenant_id, user_id, agent_id, title, status, last_message_at, created_at, "
      "updated_at) FROM STDIN");
  if (!conversation_copy) return conversation_copy.error();
  CopyWriter conversations(std::move(*conversation_copy), options, done, total_rows);
  for (long long c = 0; c < report.conversations; ++c) {
    ConversationPlan plan = Plan(c, report.conversations, report.messages, run_seed, now, *tenants);
    const Tenant& tenant = (*tenants)[plan.tenant];
    Random random{plan.seed};
    std::string& row = conversations.Row();
    conversation_ids.Append(row, static_cast<std::uint64_t>(c));
    row += '\t';
    row += tenant.id;
    row += '\t';
    row += tenant.users[plan.user];
    row += '\t';
    row += plan.agent ? std::string_view(tenant.agents[*plan.agent]) : std::string_view("\\N");
    row += '\t';
    row += random.Pick(kTitles);
    fmt::format_to(std::back_inserter(row), " #{}", c + 1);
    // Mostly active, some archived, a few deleted.
    std::size_t status = random.Below(100);
    row += status < 90 ? "\tactive\t" : status < 98 ? "\tarchived\t" : "\tdeleted\t";
    long long last = MessageTime(plan.start, plan.messages - 1);
    AppendTimestamp(row, last);
    row += '\t';
    AppendTimestamp(row, plan.start);
    row += '\t';
    AppendTimestamp(row, last);
    row += '\n';
    if (auto ended = conversations.EndRow(); !ended) return ended.error();
  }
  if (auto ended = conversations.End(); !ended) return ended.error();

  auto message_copy =
      admin.CopyFrom("COPY public.messages (id, tenant_id, conversation_id, role, content, created_at) FROM STDIN");
  if (!message_copy) return message_copy.error();
  CopyWriter messages(std::move(*message_copy), options, done, total_rows);
  std::uint64_t message_number = 0;
  std::string conversation_id;
  for (long long c = 0; c < report.conversations; ++c) {
    ConversationPlan plan = Plan(c, report.conversations, report.messages, run_seed, now, *tenants);
    const Tenant& tenant = (*tenants)[plan.tenant];
    Random random{plan.seed};
    conversation_id.clear();
    conversation_ids.Append(conversation_id, static_cast<std::uint64_t>(c));
    for (int i = 0; i < plan.messages; ++i) {
      std::string& row = messages.Row();
      message_ids.Append(row, message_number++);
      row += '\t';
      row += tenant.id;
      row += '\t';
      row += conversation_id;
      if (i % 2 == 0) {
        row += "\tuser\t";
        AppendUserText(row, random);
      } else {
        row += "\tassistant\t";
        AppendAssistantText(row, random);
      }
      row += '\t';
      AppendTimestamp(row, MessageTime(plan.start, i));
      row += '\n';
      if (auto ended = messages.EndRow(); !ended) return ended.error();
    }
  }
  auto copied = messages.End();
  if (!copied) return copied.error();
  if (*copied != report.messages) {
    return Error::Internal(fmt::format("COPY stored {} messages, not {}", *copied, report.messages));
  }
  // The skipped triggers include the ones that keep search's words
  // (agentbase.message_words): index the new messages in one statement, which
  // is also faster than a trigger call per row.
  if (report.triggers_skipped) {
    if (auto indexed = admin.Exec("SELECT agentbase.chat_index_existing_messages()"); !indexed) {
      return indexed.error();
    }
  }
  if (auto committed = transaction.Commit(); !committed) return committed.error();
  // Fresh statistics, so the first queries over the new rows are planned well.
  if (auto analyzed = admin.Exec("ANALYZE public.conversations, public.messages"); !analyzed) {
    return analyzed.error();
  }
  return report;
}

}  // namespace agentbase::app
