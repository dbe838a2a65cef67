#pragma once
// A small blocking libpq wrapper for administrative work (migrations,
// verification, tests). The request path of the server uses its own
// nonblocking connections.

#include <libpq-fe.h>

#include <boost/json/fwd.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace agentbase::db {

class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}

  int Rows() const { return PQntuples(result_.get()); }
  int Columns() const { return PQnfields(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string_view Get(int row, int column) const {
    return {PQgetvalue(result_.get(), row, column), static_cast<size_t>(PQgetlength(result_.get(), row, column))};
  }
  std::string Text(int row, int column) const { return std::string(Get(row, column)); }
  bool Bool(int row, int column) const { return Get(row, column) == "t"; }
  long long Int(int row, int column) const;
  std::string ColumnName(int column) const { return PQfname(result_.get(), column); }
  PGresult* raw() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

using Params = std::vector<std::optional<std::string>>;

class Connection;

// One COPY ... FROM STDIN in progress on a blocking connection (made by
// Connection::CopyFrom). Rows go in as COPY's text format, in chunks of any
// size (whole rows or not); End() finishes it. A copy still open when this
// goes away (an early return on an error) is aborted, so the server rejects
// every row sent and the connection stays usable.
class CopyIn {
 public:
  CopyIn(CopyIn&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}
  CopyIn& operator=(CopyIn&&) = delete;
  CopyIn(const CopyIn&) = delete;
  ~CopyIn();

  // Sends a chunk. An error here means the connection failed; a row the
  // server rejects is reported by End().
  Status Put(std::string_view data);
  // Ends the copy and returns how many rows the server stored.
  Result<long long> End();

 private:
  friend class Connection;
  explicit CopyIn(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;  // null once ended
};

// Appends `field` to a COPY text-format row, escaped (backslash, tab,
// newline, carriage return). A NUL byte cannot be sent (the server refuses
// it in text anyway): the caller keeps it out.
void AppendCopyText(std::string& row, std::string_view field);

// A PostgreSQL array literal of text elements, every one quoted: {"a","b\"c"}
// (for a text[] parameter); an absent element is NULL.
std::string TextArrayLiteral(const std::vector<std::string>& items);
std::string TextArrayLiteral(const std::vector<std::optional<std::string>>& items);
// Appends one element of such a literal: quoted, quotes and backslashes escaped.
void AppendQuotedArrayElement(std::string& literal, std::string_view element);

// A JSON number as PostgreSQL reads it into real from the decimal the REST
// layer writes (the shortest that reads back as the same double): rounded
// once to float, as float4in does. None where PostgreSQL refuses it (out of
// range for real, or too small to be anything but zero) or it is no number.
std::optional<float> RealAsPostgresReads(const boost::json::value& number);

// Whether the statement or one of its parameters holds a NUL byte, which
// libpq would cut it at (see util/utf8.hpp's NulByteError): such a statement
// is refused, never sent.
// Binary parameters (by index) may hold any byte and are not looked at.
bool HasNulByte(std::string_view sql, const Params& params, const std::vector<size_t>& binary_params = {});

class Connection {
 public:
  // Opens a connection; `conninfo` is a URL or key=value string.
  static Result<Connection> Open(const std::string& conninfo);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;

  // Runs one or more statements (simple protocol) and returns the last result.
  Result<PgResult> Exec(std::string_view sql);
  // Runs a string of several queries in one round trip and returns every result.
  Result<std::vector<PgResult>> ExecAll(std::string_view sql);
  // Runs one statement with text parameters (extended protocol).
  Result<PgResult> ExecParams(std::string_view sql, const Params& params);
  // Starts `copy_sql`, a COPY ... FROM STDIN (text format); nothing else may
  // run on this connection until the CopyIn has ended or gone.
  Result<CopyIn> CopyFrom(std::string_view copy_sql);

 private:
  explicit Connection(PGconn* conn) : conn_(conn, &PQfinish) {}
  Error ErrorFrom(const PGresult* result) const;

  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

// BEGIN ... COMMIT on a blocking connection; a transaction still open when
// this goes away (an early return on an error) is rolled back.
class Transaction {
 public:
  explicit Transaction(Connection& connection) : connection_(connection) {}
  ~Transaction() {
    if (open_) (void)connection_.Exec("ROLLBACK");  // nothing more to do if even that fails
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status Begin() {
    if (auto begun = connection_.Exec("BEGIN"); !begun) return begun.error();
    open_ = true;
    return Ok();
  }
  // A failed COMMIT has ended the transaction too: no ROLLBACK follows.
  Status Commit() {
    open_ = false;
    if (auto committed = connection_.Exec("COMMIT"); !committed) return committed.error();
    return Ok();
  }

 private:
  Connection& connection_;
  bool open_ = false;
};

// Turns a failed result (or connection) into an Error carrying the SQLSTATE,
// message, detail and hint.
Error ErrorFromResult(const PGresult* result, PGconn* conn);

}  // namespace agentbase::db
