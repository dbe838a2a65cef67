#pragma once
// Checking, describing and redacting connection strings.

#include <string>

#include "util/result.hpp"

namespace agentbase::db {

// Accepts postgres:// and postgresql:// URLs and key=value strings; returns
// the string to hand to libpq (with a connect timeout added when none is
// given), or an error that says what is wrong with it.
Result<std::string> ValidateConninfo(const std::string& conninfo);

// The connection string with any password replaced by "****".
std::string RedactConninfo(const std::string& conninfo);

// One clear line for a failed connection attempt.
Error DescribeConnectFailure(const std::string& libpq_message, const std::string& conninfo);

}  // namespace agentbase::db
