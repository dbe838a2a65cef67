#pragma once
// The catalogue of PostgREST's own errors (PGRSTnnn): one named constructor
// per error, each giving PostgREST's code, message, details and hint, word
// for word, and a kind (util/result.hpp). The HTTP status of each code is
// StatusOf (api_error.cpp's StatusFor asks it).
//
// Facts from PostgREST's src/library/PostgREST/Error.hs. Known differences:
//  - PGRST201's details are a JSON array of the candidate relationships in
//    PostgREST; Error carries text only, so they are that array's JSON text
//    (api_error.cpp writes PGRST201's details as JSON).
//  - PGRST119 (a spread over a to-many relationship) is a code older
//    PostgREST versions used; current ones have no error for it.
// Errors that are not PostgREST's but answer REST requests (AB5xx) are at
// the end.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace agentbase::rest::pgrst {

// The HTTP status PostgREST answers `code` (a PGRSTnnn code) with; 500 for
// codes it does not know.
int StatusOf(std::string_view code);

// --- PGRST0xx: the database connection ---------------------------------
// PGRST001 (503) "Database client error. Retrying the connection."
Error DatabaseClient(std::string details = {});
// PGRST002 (503) "Could not query the database for the schema cache. Retrying."
Error SchemaCacheUnavailable();
// PGRST003 (504) "Timed out acquiring connection from connection pool."
Error PoolTimeout();

// --- PGRST1xx: the request ---------------------------------------------
// PGRST100 (400): a query parameter that does not parse; `message` e.g.
// "failed to parse filter (eq.)", `details` e.g. the parser's expectation.
Error QueryParam(std::string message, std::string details = {}, std::string hint = {});
// PGRST101 (405) "Cannot use the <method> method on RPC"
Error InvalidRpcMethod(std::string_view method);
// PGRST102 (400): a body that cannot be used, e.g. "Empty or invalid json".
Error InvalidBody(std::string message, std::string details = {});
// PGRST103 (416) "Requested range not satisfiable"
Error RangeOutOfBounds(int64_t offset, int64_t total);  // "An offset of 5 was requested, but there are only 3 rows."
Error RangeLowerAboveUpper();                           // a Range header of "5-2"
// PGRST105 (405) "Filters must include all and only primary key columns with 'eq' operators"
Error InvalidFilters();
// PGRST106 (406) "Invalid schema: <schema>", hint "Only the following schemas are exposed: a, b"
Error UnacceptableSchema(std::string_view schema, const std::vector<std::string>& exposed);
// PGRST107 (406) "None of these media types are available: a, b"
Error MediaTypeUnavailable(const std::vector<std::string>& media_types);
// PGRST108 (400) "'<resource>' is not an embedded resource in this request",
// hint "Verify that '<resource>' is included in the 'select' query parameter."
// `target_name_of_aliased`: the name was the embed's table although the embed
// has an alias; details "Target names are not allowed in filters if they
// have an alias", the hint as above.
Error NotEmbedded(std::string_view resource, bool target_name_of_aliased = false);
// PGRST111 (500) the response.headers setting is malformed.
Error GucHeaders();
// PGRST112 (500) "response.status guc must be a valid status code"
Error GucStatus();
// PGRST114 (400) "limit/offset querystring parameters are not allowed for PUT"
Error PutLimitNotAllowed();
// PGRST115 (400) "Payload values do not match URL in primary key column(s)"
Error PutMatchingPk();
// PGRST116 (406) "Cannot coerce the result to a single JSON object",
// details "The result contains <rows> rows"
Error Singularity(int64_t rows);
// PGRST117 (405) "Unsupported HTTP method: <method>"
Error UnsupportedMethod(std::string_view method);
// PGRST118 (400) "A related order on '<target>' is not possible",
// details "'<origin>' and '<target>' do not form a many-to-one or one-to-one relationship"
Error RelatedOrderNotToOne(std::string_view origin, std::string_view target);
// PGRST119 (400) "A spread operation on '<target>' is not possible", details as PGRST118.
// PGRST122 (400) "Invalid preferences given with handling=strict",
// details "Invalid preferences: a, b"
Error InvalidPreferences(const std::vector<std::string>& preferences);
// PGRST123 (400) "Use of aggregate functions is not allowed"
Error AggregatesNotAllowed();
// PGRST124 (400) "Query result exceeds max-affected preference constraint",
// details "The query affects <rows> rows"
Error MaxAffectedViolation(int64_t rows);
// PGRST125 (404) "Invalid path specified in request URL"
Error InvalidResourcePath();
// PGRST128 (400) max-affected with handling=strict on a function not returning SETOF/TABLE.
Error MaxAffectedRpcViolation();

// --- PGRST2xx: the schema cache ----------------------------------------
// PGRST200 (400) "Could not find a relationship between '<parent>' and
// '<child>' in the schema cache"; details name the schema and the `!hint`
// if one was given; `suggestion` (e.g. "Perhaps you meant 'films' instead
// of 'film'.") becomes the hint.
Error RelationshipNotFound(std::string_view parent, std::string_view child, std::string_view schema,
                           std::optional<std::string_view> embed_hint = std::nullopt, std::string suggestion = {});
// PGRST201 (300) "Could not embed because more than one relationship was
// found for '<parent>' and '<child>'"; `candidates` are the ways to say
// which, "<table>!<constraint or junction>", listed in the hint; `details`
// the JSON array text of the candidate relationships.
Error AmbiguousRelationship(std::string_view parent, std::string_view child, const std::vector<std::string>& candidates,
                            std::string details = {});
// PGRST200 (400) "The embedded resource '<relation>' is not exposed": the
// relationship's target is not in the exposed schema (agentbase's words).
Error EmbedNotExposed(std::string_view relation);
// PGRST202 (404) "Could not find the function <schema>.<name>(a, b) in the
// schema cache" (" without parameters" for none); details as PostgREST's,
// " or with a single unnamed json/jsonb parameter" when the arguments came
// as a JSON body (`whole_body_type` "json"). A text/plain, text/xml or
// application/octet-stream body (`whole_body_type` "text", "xml" or
// "bytea") could only be one unnamed argument of that type: the message
// names no arguments and the details say "with a single unnamed text
// parameter". `suggestion` (e.g. "Perhaps you meant to call the function
// api.test") becomes the hint.
Error FunctionNotFound(std::string_view schema, std::string_view name, const std::vector<std::string>& arguments,
                       std::string_view whole_body_type = {}, std::string suggestion = {});
// PGRST203 (300) "Could not choose the best candidate function between:
// <candidates, each schema.name(a => type, ...)>"
Error AmbiguousFunction(const std::vector<std::string>& candidates);
// PGRST202 (404) "The result type of <function> is not exposed" (agentbase's words).
Error FunctionResultNotExposed(std::string_view function);
// PGRST204 (400) "Could not find the '<column>' column of '<relation>' in the schema cache"
Error ColumnNotFound(std::string_view relation, std::string_view column);
// PGRST205 (404) "Could not find the table '<schema>.<table>' in the schema
// cache"; a `similar` table name gives the hint "Perhaps you meant the
// table '<schema>.<similar>'".
Error TableNotFound(std::string_view schema, std::string_view table, std::string_view similar = {});
// 42703 (400) "column <relation>.<column> does not exist": PostgreSQL's
// error, which PostgREST passes on for a select, filter, order or
// on_conflict naming no column.
Error UndefinedColumn(std::string_view relation, std::string_view column);

// --- PGRST3xx: JWT ------------------------------------------------------
// Tokens are verified, and refused with PostgREST's wording, by auth/jwt
// (below this floor); these two are for what REST itself refuses: an
// Authorization header that is no bearer token, a role it does not allow.
// PGRST301 (401): a token that cannot be decoded or verified.
Error JwtDecode(std::string message, std::string details = {});
Error JwtParts(int parts);  // "Expected 3 parts in JWT; got <n>"
// PGRST303 (401): the token's claims are refused.
Error JwtClaims(std::string message, std::string details = {});

// --- agentbase's own REST errors (ABnnn: the digits are the status) ------
// AB504: the database did not answer within the pool's deadline.
Error DatabaseGaveUp();
// AB400: the response would exceed the server's limit of `max_bytes`.
Error ResponseTooLarge(int64_t max_bytes);

}  // namespace agentbase::rest::pgrst
