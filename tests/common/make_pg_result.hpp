#pragma once
// A libpq result made by hand (no server involved), for tests and fuzz
// targets that feed catalog results to SchemaCache::BuildFrom.

#include <libpq-fe.h>

#include <cstring>
#include <string>
#include <vector>

#include "db/connection.hpp"

namespace agentbase::testing {

// One result of `columns` text columns (oid 25: the readers look at cell
// text only). A null cell is nullptr; cells a row leaves out (columns added
// to the catalog queries later) are null too.
inline db::PgResult MakePgResult(int columns, const std::vector<std::vector<const char*>>& rows) {
  PGresult* result = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
  std::vector<std::string> names;
  for (int i = 0; i < columns; ++i) names.push_back("c" + std::to_string(i));
  std::vector<PGresAttDesc> descriptions(static_cast<size_t>(columns));
  for (int i = 0; i < columns; ++i) {
    descriptions[static_cast<size_t>(i)] = PGresAttDesc{names[static_cast<size_t>(i)].data(), 0, 0, 0, 25, -1, -1};
  }
  PQsetResultAttrs(result, columns, descriptions.data());
  for (int row = 0; row < static_cast<int>(rows.size()); ++row) {
    const auto& cells = rows[static_cast<size_t>(row)];
    for (int column = 0; column < columns; ++column) {
      const char* cell = static_cast<size_t>(column) < cells.size() ? cells[static_cast<size_t>(column)] : nullptr;
      PQsetvalue(result, row, column, const_cast<char*>(cell), cell == nullptr ? -1 : static_cast<int>(strlen(cell)));
    }
  }
  return db::PgResult(result);
}

}  // namespace agentbase::testing
