#include "schema/sql_source.hpp"

#include <regex>
#include <sstream>

#include "util/text.hpp"

namespace agentbase::schema {

namespace {

constexpr std::string_view kDirective = "-- agentbase:";

Result<Requirement> ParseRequirement(const std::string& text) {
  static const std::regex shape(R"(^\s*([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\s*\((.*)\)\s*$)");
  std::smatch match;
  if (!std::regex_match(text, match, shape)) return Error::Make("malformed requires directive: " + text, "parse");
  Requirement requirement{match[1], match[2], {}};
  std::stringstream columns(match[3].str());
  for (std::string column; std::getline(columns, column, ',');) {
    column = Trim(column);
    auto space = column.find(' ');
    if (space == std::string::npos) return Error::Make("requires directive needs 'column type': " + text, "parse");
    requirement.columns.push_back({column.substr(0, space), Trim(column.substr(space + 1))});
  }
  return requirement;
}

}  // namespace

Result<ParsedFile> ParseSqlFile(const SqlFile& file) {
  ParsedFile parsed;
  parsed.name = file.name;
  parsed.sections.push_back({Condition::Always, ""});
  bool in_conditional = false;
  std::istringstream lines(file.text);
  int line_number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++line_number;
    std::string trimmed = Trim(line);
    if (!StartsWith(trimmed, kDirective)) {
      parsed.sections.back().sql += line + "\n";
      continue;
    }
    std::string directive = Trim(trimmed.substr(kDirective.size()));
    auto fail = [&](const std::string& what) {
      return Error::Make(file.name + ":" + std::to_string(line_number) + ": " + what, "parse");
    };
    if (StartsWith(directive, "mode ")) {
      std::string mode = Trim(directive.substr(5));
      if (mode == "ensure")
        parsed.mode = Mode::Ensure;
      else if (mode == "if-absent")
        parsed.mode = Mode::IfAbsent;
      else
        return fail("unknown mode '" + mode + "'");
    } else if (StartsWith(directive, "requires ")) {
      auto requirement = ParseRequirement(directive.substr(9));
      if (!requirement) return fail(requirement.error().message);
      parsed.requirements.push_back(*requirement);
    } else if (directive == "if vector" || directive == "if !vector") {
      if (in_conditional) return fail("nested agentbase:if");
      in_conditional = true;
      parsed.sections.push_back({directive == "if vector" ? Condition::WithVector : Condition::WithoutVector, ""});
    } else if (directive == "else") {
      if (!in_conditional) return fail("agentbase:else without agentbase:if");
      Condition negated =
          parsed.sections.back().condition == Condition::WithVector ? Condition::WithoutVector : Condition::WithVector;
      parsed.sections.push_back({negated, ""});
    } else if (directive == "end") {
      if (!in_conditional) return fail("agentbase:end without agentbase:if");
      in_conditional = false;
      parsed.sections.push_back({Condition::Always, ""});
    } else {
      return fail("unknown directive '" + directive + "'");
    }
  }
  if (in_conditional) return Error::Make(file.name + ": agentbase:if without agentbase:end", "parse");
  return parsed;
}

std::string SubstitutePlaceholders(std::string sql, const Placeholders& values) {
  sql = ReplaceAll(std::move(sql), "{{vector_schema}}", QuoteIdent(values.vector_schema));
  return ReplaceAll(std::move(sql), "{{embedding_dimensions}}", std::to_string(values.embedding_dimensions));
}

}  // namespace agentbase::schema
