#pragma once
// Who may see a change: row level security decides, for each subscriber's
// JWT claims, as Supabase Realtime's postgres_changes does, but with one
// database round trip per change for all subscribers instead of one query
// per change per subscriber:
//  - identical claims are asked about once;
//  - a table without row level security needs no query per change: a role
//    that may SELECT the table sees every row (the table's facts, RLS on or
//    off and which API roles may SELECT it, are cached per table for
//    table_facts_ttl);
//  - a DELETE is not checked against RLS (the old row is gone; Supabase
//    does the same and sends only its primary key): every claim whose role
//    may SELECT the table sees it;
//  - a change is judged only once its transaction is visible to a new
//    snapshot: the feed may deliver it a moment before (see Change::xid),
//    and a row looked up then would be shown to nobody. The check rides in
//    the lookup's round trip; only a change that is not visible yet costs
//    another (after a short wait);
//  - otherwise one call of agentbase.realtime_visible (database/schema/
//    70_realtime.sql) looks the rows up by primary key once per distinct
//    claims, under that role and those claims, inside the database; a batch
//    of changes (VisibleBatch) costs about what one change costs;
//  - on a tenant-scoped table (agentbase.realtime_tenant_scoped_tables(),
//    whose policies depend on a subscriber only through its role and tenant)
//    it asks once per role and tenant, so a thousand users of two tenants
//    cost two lookups, not a thousand; each claims' tenant is looked up once
//    and kept for tenant_ttl (refreshed in the background while in use); the
//    representatives' tenants are checked in the lookup's own round trip, so
//    a user who moved never answers for its old tenant's users; and a
//    DELETE whose old row names its tenant
//    (REPLICA IDENTITY FULL) goes only to that tenant's subscribers (and to
//    roles that bypass row level security).
// Claims naming a role outside AuthorizerOptions::roles never see anything.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "changes/change.hpp"
#include "db/pool.hpp"
#include "util/result.hpp"

namespace agentbase::changes {

// A subscriber as the authorizer sees it: the role its claims name and the
// claims serialized (request.jwt.claims); identical texts are one subscriber.
// Views: the caller keeps the texts alive until the call completes.
struct Subject {
  std::string_view role;
  std::string_view claims;
};

struct AuthorizerOptions {
  // The roles a JWT may name (as RestOptions::jwt_roles).
  std::vector<std::string> roles = {"anon", "authenticated", "service_role"};
  std::chrono::milliseconds table_facts_ttl{5000};
  // How long a subscriber's tenant is trusted without asking again (a user
  // moved to another tenant is seen as such at most this late). Tenants in
  // use are asked again in the background once 3/4 of it has passed, so a
  // change rarely waits for that lookup (a thousand claims take ~30 ms).
  std::chrono::milliseconds tenant_ttl{10000};
  // At most this many claims' tenants are kept (all are forgotten beyond).
  size_t max_remembered_tenants = 100000;
  // How long a change whose transaction other sessions do not see committed
  // yet (Change::xid) is waited for before its rows are looked up anyway.
  std::chrono::milliseconds visibility_wait{5000};
};

class Authorizer {
 public:
  // The pool's user must be allowed to switch to those roles (PostgREST's
  // authenticator, or a superuser).
  Authorizer(db::Pool& pool, AuthorizerOptions options = {}) : pool_(pool), options_(std::move(options)) {}

  // For each claims object (its "role" names the database role), whether it
  // may see the change; in the order given. An Error when the database could
  // not answer (the caller decides; delivering nothing is the safe choice).
  boost::asio::awaitable<Result<std::vector<bool>>> Visible(Change change, std::vector<boost::json::object> claims);
  boost::asio::awaitable<Result<std::vector<bool>>> Visible(Change change, std::vector<Subject> subjects);

  // The same for several changes at once (visible[change][claims]): one
  // round trip per table among them, whose database cost grows with the
  // number of distinct claims and barely with the number of changes (one
  // lookup of all the batch's rows per claims). A subscriber's server batches
  // the changes that arrived while the previous batch was being authorised.
  boost::asio::awaitable<Result<std::vector<std::vector<bool>>>> VisibleBatch(std::vector<Change> changes,
                                                                              std::vector<boost::json::object> claims);
  boost::asio::awaitable<Result<std::vector<std::vector<bool>>>> VisibleBatch(std::vector<Change> changes,
                                                                              std::vector<Subject> subjects);

  // The table's primary key columns, in key order (empty: it has none);
  // from the table's cached facts.
  boost::asio::awaitable<Result<std::vector<std::string>>> PrimaryKey(uint32_t relation);

  // Database round trips made so far (for the benchmark's cost per event).
  uint64_t Queries() const { return queries_; }
  // Lookups repeated because a change's transaction was not visible yet.
  uint64_t VisibilityWaits() const { return visibility_waits_; }

 private:
  struct TableFacts {
    std::chrono::steady_clock::time_point fetched;
    bool row_security = false;
    bool tenant_scoped = false;
    std::unordered_set<std::string> selecting_roles;  // allowed roles with SELECT on the table
    std::unordered_set<std::string> bypassing_roles;  // of those, the ones row level security lets through
    std::vector<std::string> primary_key;
  };
  // Tenants are shared, not copied: a thousand subscribers name two.
  using Tenant = std::shared_ptr<const std::string>;  // "" for claims of no tenant
  struct KnownTenant {
    std::chrono::steady_clock::time_point fetched;
    Tenant tenant;
  };
  // Hashes std::string and std::string_view alike (lookups by view).
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>()(text); }
  };
  boost::asio::awaitable<Result<TableFacts>> Facts(uint32_t relation);
  // The tenant of each claims (serialized), asking the database only for
  // those not known within tenant_ttl.
  boost::asio::awaitable<Result<std::vector<Tenant>>> Tenants(const std::vector<std::string_view>& claims);
  // Asks the database for the tenants of `claims` (serialized) and keeps
  // them, as fetched at `asked_at`.
  boost::asio::awaitable<Result<std::vector<Tenant>>> FetchTenants(std::vector<std::string> claims,
                                                                   std::chrono::steady_clock::time_point asked_at);
  Tenant Intern(std::string_view name);
  // One round trip: whether the transactions `xids` are visible (waiting for
  // them up to visibility_wait), realtime_visible of `records` for each of
  // `representatives` (claims), and with_tenants: the representatives'
  // tenants now.
  boost::asio::awaitable<Result<db::PipelineOutcome>> LookUp(uint32_t relation, const std::string& records,
                                                             const std::string& xids,
                                                             const std::string& representatives, bool with_tenants);
  // Refreshes the tenants waiting in refresh_wanted_, one lookup at a time.
  static boost::asio::awaitable<void> RefreshTenants(Authorizer* self);
  bool Allowed(const std::string& role) const;

  db::Pool& pool_;
  AuthorizerOptions options_;
  std::unordered_map<uint32_t, TableFacts> facts_;
  std::unordered_map<std::string, KnownTenant, TextHash, std::equal_to<>> tenants_;
  std::unordered_map<std::string, Tenant, TextHash, std::equal_to<>> tenant_names_;
  std::unordered_set<std::string, TextHash, std::equal_to<>> refresh_wanted_;
  bool refreshing_ = false;
  uint64_t queries_ = 0;
  uint64_t visibility_waits_ = 0;
};

// A boolean array's text ({t,f} or {{t,f},{f,t}}) as `rows` rows of
// `columns` values, row-major; an error when it does not have that shape.
Result<std::vector<std::vector<bool>>> ParseBoolMatrix(std::string_view text, size_t rows, size_t columns);

}  // namespace agentbase::changes
