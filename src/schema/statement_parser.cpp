#include "schema/statement_parser.hpp"

#include <utility>

#include "schema/sql_lexer.hpp"
#include "util/text.hpp"

namespace agentbase::schema {

const char* KindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Extension: return "extension";
    case ObjectKind::Schema: return "schema";
    case ObjectKind::Role: return "role";
    case ObjectKind::RoleMembership: return "role membership";
    case ObjectKind::SchemaGrant: return "schema grant";
    case ObjectKind::TableGrant: return "table grant";
    case ObjectKind::Function: return "function";
    case ObjectKind::Table: return "table";
    case ObjectKind::Column: return "column";
    case ObjectKind::Constraint: return "constraint";
    case ObjectKind::Index: return "index";
    case ObjectKind::RowSecurity: return "row level security";
    case ObjectKind::Policy: return "policy";
    case ObjectKind::Trigger: return "trigger";
    case ObjectKind::Publication: return "publication";
    case ObjectKind::PublicationTable: return "publication table";
    case ObjectKind::StorageParameter: return "storage parameter";
    case ObjectKind::Backfill: return "backfill";
  }
  return "object";
}

std::string SchemaObject::Key() const {
  std::string key = std::string(KindName(kind)) + " ";
  switch (kind) {
    case ObjectKind::Extension:
    case ObjectKind::Schema:
    case ObjectKind::Role:
    case ObjectKind::Publication: return key + name;
    case ObjectKind::PublicationTable: return key + name + " " + QualifiedTable();
    case ObjectKind::RoleMembership: return key + name + " to " + member;
    case ObjectKind::SchemaGrant: return key + name + " to " + Join(grantees, ",");
    case ObjectKind::TableGrant:
      return key + QualifiedTable() + (grant_columns.empty() ? "" : "(" + Join(grant_columns, ",") + ")") + " " +
             Join(privileges, ",") + " to " + Join(grantees, ",");
    case ObjectKind::Function: return key + schema + "." + name;
    case ObjectKind::Table:
    case ObjectKind::RowSecurity: return key + QualifiedTable();
    case ObjectKind::Index: return key + schema + "." + name;
    case ObjectKind::Column:
    case ObjectKind::Constraint:
    case ObjectKind::Policy:
    case ObjectKind::Trigger:
    case ObjectKind::StorageParameter: return key + QualifiedTable() + "." + name;
    case ObjectKind::Backfill: return key + "after " + anchor;
  }
  return key + name;
}

std::string SchemaObject::CreateOrReplaceSql() const {
  return ReplaceAll(head, "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION") + QuoteIdent(name) + tail;
}

namespace {

// A dollar-quote tag made of `base` that `text` does not contain.
std::string DollarTagFor(const std::string& text, std::string base) {
  while (text.find("$" + base + "$") != std::string::npos) base += "_";
  return "$" + base + "$";
}

}  // namespace

std::string SchemaObject::ReplaceFunctionSql() const {
  // One DO block, so that a script does either without knowing which: the
  // DROP runs only when CREATE OR REPLACE was refused (and undone).
  std::string create = CreateOrReplaceSql();
  std::string inner = DollarTagFor(create, "agentbase_function");
  std::string outer = DollarTagFor(create + inner, "agentbase_replace");
  return "DO " + outer + "\nDECLARE\n  definition text := " + inner + create + inner +
         ";\nBEGIN\n  EXECUTE definition;\nEXCEPTION WHEN invalid_function_definition THEN\n  DROP FUNCTION " +
         QuoteIdent(schema) + "." + QuoteIdent(name) + ";\n  EXECUTE definition;\nEND\n" + outer;
}

namespace {

// Walks the tokens of one statement.
class Cursor {
 public:
  Cursor(const std::string& sql, std::vector<Token> tokens) : sql_(sql), tokens_(std::move(tokens)) {}

  bool AtEnd() const { return pos_ >= tokens_.size(); }
  const Token& Peek(size_t ahead = 0) const {
    static const Token kEnd{TokenKind::Punct, "", 0};
    return pos_ + ahead < tokens_.size() ? tokens_[pos_ + ahead] : kEnd;
  }
  // At the end: the end token (as Peek), never past the vector.
  const Token& Next() { return AtEnd() ? Peek() : tokens_[pos_++]; }
  bool Accept(std::string_view keyword) {
    if (!AtEnd() && Peek().Is(keyword)) return ++pos_, true;
    return false;
  }
  bool AcceptAll(std::initializer_list<std::string_view> keywords) {
    size_t k = 0;
    for (auto keyword : keywords) {
      if (!Peek(k).Is(keyword)) return false;
      ++k;
    }
    pos_ += k;
    return true;
  }
  bool AcceptPunct(std::string_view punct) {
    if (!AtEnd() && Peek().kind == TokenKind::Punct && Peek().text == punct) return ++pos_, true;
    return false;
  }
  bool IsIdentifier() const {
    return !AtEnd() && (Peek().kind == TokenKind::Word || Peek().kind == TokenKind::QuotedIdent);
  }
  Result<std::string> Identifier(const char* what) {
    if (!IsIdentifier()) return Fail(std::string("expected ") + what);
    return Next().Name();
  }
  // schema.name, with "public" when unqualified.
  Result<std::pair<std::string, std::string>> QualifiedName(const char* what) {
    auto first = Identifier(what);
    if (!first) return first.error();
    if (!AcceptPunct(".")) return std::pair<std::string, std::string>{"public", *first};
    auto second = Identifier(what);
    if (!second) return second.error();
    return std::pair<std::string, std::string>{*first, *second};
  }
  // Identifiers separated by commas.
  Result<std::vector<std::string>> IdentifierList(const char* what) {
    std::vector<std::string> names;
    do {
      auto name = Identifier(what);
      if (!name) return name.error();
      names.push_back(*name);
    } while (AcceptPunct(","));
    return names;
  }
  // Source text from token `from` (inclusive) to the end of the statement.
  std::string TextFrom(size_t from) const {
    return from < tokens_.size() ? sql_.substr(tokens_[from].offset) : std::string();
  }
  size_t Position() const { return pos_; }
  size_t Offset(size_t token) const { return token < tokens_.size() ? tokens_[token].offset : sql_.size(); }
  Error Fail(const std::string& what) const {
    std::string near = AtEnd() ? "end of statement" : "'" + std::string(Peek().text) + "'";
    return Error::Make(what + " near " + near + " in: " + CollapseWhitespace(sql_).substr(0, 120), "parse");
  }
  const std::vector<Token>& Tokens() const { return tokens_; }
  const std::string& Sql() const { return sql_; }
  void Seek(size_t pos) { pos_ = pos; }

 private:
  const std::string& sql_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

// The statement without its name, which is written back quoted only where it
// needs quotes: head and tail keep apart from it, since a quoted name touching
// a word (`"public"U`, two tokens) would run into it once unquoted (`publicU`),
// and a name touching a quoted identifier (`x"y"`) into it once quoted
// (`"x""y"`, one).
bool WouldJoinTheName(char c) { return IsIdentifierChar(c) || c == '"'; }

std::string TailApartFromName(std::string tail) {
  if (!tail.empty() && WouldJoinTheName(tail.front())) tail.insert(0, 1, ' ');
  return tail;
}

void SetAroundName(SchemaObject& object, std::string head, std::string tail) {
  if (!head.empty() && WouldJoinTheName(head.back())) head += ' ';
  object.head = std::move(head);
  object.tail = TailApartFromName(std::move(tail));
}

// Splits the statement around the token at `name_token`.
void SplitAroundName(SchemaObject& object, const Cursor& cursor, size_t name_token) {
  const Token& token = cursor.Tokens()[name_token];
  SetAroundName(object, cursor.Sql().substr(0, token.offset), cursor.Sql().substr(token.offset + token.text.size()));
}

Result<SchemaObject> ParseTableElement(const std::string& qualified_table, std::string_view element_text,
                                       const SchemaObject& table) {
  std::string text = Trim(element_text);
  auto tokens = Lex(text);
  if (!tokens) return tokens.error();
  Cursor cursor(text, *tokens);
  SchemaObject part;
  part.schema = table.schema;
  part.table = table.table;
  part.mode = table.mode;
  part.condition = table.condition;
  part.source = table.source;
  if (cursor.Accept("CONSTRAINT")) {
    size_t name_token = cursor.Position();
    auto name = cursor.Identifier("constraint name");
    if (!name) return name.error();
    part.kind = ObjectKind::Constraint;
    part.name = *name;
    SetAroundName(part, "ALTER TABLE " + qualified_table + " ADD CONSTRAINT ",
                  text.substr(cursor.Offset(name_token) + (*tokens)[name_token].text.size()));
    return part;
  }
  for (auto keyword : {"PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE"}) {
    if (cursor.Peek().Is(keyword)) {
      return cursor.Fail("name every table constraint (CONSTRAINT name ...) so it can be found again");
    }
  }
  auto column = cursor.Identifier("column name");
  if (!column) return column.error();
  part.kind = ObjectKind::Column;
  part.name = *column;
  SetAroundName(part, "ALTER TABLE " + qualified_table + " ADD COLUMN ",
                text.substr(cursor.Offset(0) + (*tokens)[0].text.size()));
  // The type runs until the first column option.
  size_t type_start = cursor.Position();
  int depth = 0;
  while (!cursor.AtEnd()) {
    const Token& token = cursor.Peek();
    if (token.kind == TokenKind::Punct && token.text == "(") ++depth;
    if (token.kind == TokenKind::Punct && token.text == ")") --depth;
    if (depth == 0 && token.kind == TokenKind::Word) {
      bool option = false;
      for (auto keyword : {"NOT", "NULL", "DEFAULT", "CONSTRAINT", "REFERENCES", "CHECK", "UNIQUE", "PRIMARY",
                           "COLLATE", "GENERATED"}) {
        option = option || token.Is(keyword);
      }
      if (option) break;
    }
    cursor.Next();
  }
  part.column_type = CollapseWhitespace(
      text.substr(cursor.Offset(type_start), cursor.Offset(cursor.Position()) - cursor.Offset(type_start)));
  if (part.column_type.empty()) return cursor.Fail("expected a column type");
  for (size_t k = cursor.Position(); k < cursor.Tokens().size(); ++k) {
    const Token& token = cursor.Tokens()[k];
    if (token.Is("REFERENCES") || token.Is("CHECK") || token.Is("UNIQUE") || token.Is("PRIMARY")) {
      return Error::Make("column " + *column + " of " + qualified_table +
                             ": declare constraints as named table constraints, not inline",
                         "parse");
    }
  }
  return part;
}

Result<SchemaObject> ParseCreateTable(Cursor& cursor, SchemaObject object) {
  auto name = cursor.QualifiedName("table name");
  if (!name) return name.error();
  object.kind = ObjectKind::Table;
  object.schema = name->first;
  object.table = name->second;
  object.name = name->second;
  SplitAroundName(object, cursor, cursor.Position() - 1);
  if (!cursor.AcceptPunct("(")) return cursor.Fail("expected '(' after the table name");
  std::string qualified = object.schema + "." + QuoteIdent(object.table);
  // Split the element list at top-level commas.
  int depth = 1;
  size_t element_start = cursor.Offset(cursor.Position());
  while (!cursor.AtEnd()) {
    const Token& token = cursor.Next();
    bool close = token.kind == TokenKind::Punct && token.text == ")";
    bool open = token.kind == TokenKind::Punct && token.text == "(";
    bool comma = token.kind == TokenKind::Punct && token.text == ",";
    if (open) ++depth;
    if (close) --depth;
    if ((comma && depth == 1) || (close && depth == 0)) {
      auto part =
          ParseTableElement(qualified, cursor.Sql().substr(element_start, token.offset - element_start), object);
      if (!part) return part.error();
      object.parts.push_back(std::move(*part));
      element_start = token.offset + 1;
      if (depth == 0) break;
    }
  }
  if (depth != 0) return cursor.Fail("unbalanced parentheses in CREATE TABLE");
  if (!cursor.AtEnd()) return cursor.Fail("unexpected text after the column list");
  return object;
}

Result<SchemaObject> ParseGrant(Cursor& cursor, SchemaObject object) {
  // GRANT role TO member
  if (cursor.IsIdentifier() && cursor.Peek(1).Is("TO")) {
    object.kind = ObjectKind::RoleMembership;
    size_t name_token = cursor.Position();
    object.name = cursor.Next().Name();
    cursor.Next();  // TO
    auto member = cursor.Identifier("role name");
    if (!member) return member.error();
    object.member = *member;
    SplitAroundName(object, cursor, name_token);
    return object;
  }
  // GRANT privilege[, ...] [(columns)] ON [TABLE | SCHEMA] name TO role[, ...]
  while (!cursor.AtEnd() && !cursor.Peek().Is("ON")) {
    const Token& token = cursor.Next();
    if (token.kind == TokenKind::Word) {
      object.privileges.push_back(ToUpper(token.text));
    } else if (token.kind == TokenKind::Punct && token.text == "(") {
      auto columns = cursor.IdentifierList("column name");
      if (!columns) return columns.error();
      object.grant_columns = *columns;
      if (!cursor.AcceptPunct(")")) return cursor.Fail("expected ')' after the column list");
    } else if (!(token.kind == TokenKind::Punct && token.text == ",")) {
      return cursor.Fail("unexpected token in privilege list");
    }
  }
  if (!cursor.Accept("ON")) return cursor.Fail("expected ON");
  size_t name_token = 0;
  if (cursor.Accept("SCHEMA")) {
    object.kind = ObjectKind::SchemaGrant;
    name_token = cursor.Position();
    auto schema = cursor.Identifier("schema name");
    if (!schema) return schema.error();
    object.schema = object.name = *schema;
  } else {
    cursor.Accept("TABLE");
    object.kind = ObjectKind::TableGrant;
    auto table = cursor.QualifiedName("table name");
    if (!table) return table.error();
    name_token = cursor.Position() - 1;
    object.schema = table->first;
    object.table = object.name = table->second;
  }
  SplitAroundName(object, cursor, name_token);
  if (!cursor.Accept("TO")) return cursor.Fail("expected TO");
  auto grantees = cursor.IdentifierList("role name");
  if (!grantees) return grantees.error();
  object.grantees = *grantees;
  return object;
}

Result<SchemaObject> ParseFunction(Cursor& cursor, SchemaObject object) {
  auto name = cursor.QualifiedName("function name");
  if (!name) return name.error();
  object.kind = ObjectKind::Function;
  object.schema = name->first;
  object.name = name->second;
  SplitAroundName(object, cursor, cursor.Position() - 1);
  for (const Token& token : cursor.Tokens()) {
    if (token.kind == TokenKind::DollarString) {
      size_t tag = token.text.find('$', 1) + 1;
      object.body = std::string(token.text.substr(tag, token.text.size() - 2 * tag));
    }
  }
  if (object.body.empty()) return cursor.Fail("function bodies must be dollar-quoted");
  return object;
}

Result<SchemaObject> ParsePolicy(Cursor& cursor, SchemaObject object) {
  size_t name_token = cursor.Position();
  auto name = cursor.Identifier("policy name");
  if (!name) return name.error();
  object.kind = ObjectKind::Policy;
  object.name = *name;
  SplitAroundName(object, cursor, name_token);
  if (!cursor.Accept("ON")) return cursor.Fail("expected ON");
  auto table = cursor.QualifiedName("table name");
  if (!table) return table.error();
  object.schema = table->first;
  object.table = table->second;
  // Where the last token read ends: ALTER POLICY takes the text up to the
  // table's name and from after the AS and FOR clauses.
  auto end_of_last_read = [&] {
    const Token& last = cursor.Tokens()[cursor.Position() - 1];
    return last.offset + last.text.size();
  };
  size_t table_end = end_of_last_read();
  if (cursor.Accept("AS")) {
    if (cursor.Accept("RESTRICTIVE"))
      object.policy_permissive = false;
    else if (!cursor.Accept("PERMISSIVE"))
      return cursor.Fail("expected PERMISSIVE or RESTRICTIVE");
  }
  if (cursor.Accept("FOR")) {
    if (cursor.AtEnd()) return cursor.Fail("expected ALL, SELECT, INSERT, UPDATE or DELETE after FOR");
    object.policy_command = ToUpper(cursor.Next().text);
  }
  size_t name_end = cursor.Offset(name_token) + cursor.Tokens()[name_token].text.size();
  object.policy_alter_tail =
      TailApartFromName(cursor.Sql().substr(name_end, table_end - name_end) + cursor.Sql().substr(end_of_last_read()));
  object.policy_roles = {"public"};
  if (cursor.Accept("TO")) {
    auto roles = cursor.IdentifierList("role name");
    if (!roles) return roles.error();
    object.policy_roles = *roles;
  }
  return object;
}

Result<SchemaObject> ParseTrigger(Cursor& cursor, SchemaObject object) {
  size_t name_token = cursor.Position();
  auto name = cursor.Identifier("trigger name");
  if (!name) return name.error();
  object.kind = ObjectKind::Trigger;
  object.name = *name;
  SplitAroundName(object, cursor, name_token);
  while (!cursor.AtEnd() && !cursor.Peek().Is("ON")) cursor.Next();
  if (!cursor.Accept("ON")) return cursor.Fail("expected ON");
  auto table = cursor.QualifiedName("table name");
  if (!table) return table.error();
  object.schema = table->first;
  object.table = table->second;
  return object;
}

Result<SchemaObject> ParseIndex(Cursor& cursor, SchemaObject object) {
  cursor.Accept("CONCURRENTLY");
  cursor.AcceptAll({"IF", "NOT", "EXISTS"});
  size_t name_token = cursor.Position();
  auto name = cursor.Identifier("index name");
  if (!name) return name.error();
  object.kind = ObjectKind::Index;
  object.name = *name;
  SplitAroundName(object, cursor, name_token);
  if (!cursor.Accept("ON")) return cursor.Fail("expected ON");
  cursor.Accept("ONLY");
  auto table = cursor.QualifiedName("table name");
  if (!table) return table.error();
  object.schema = table->first;
  object.table = table->second;
  return object;
}

// ALTER TABLE t SET (name = value), one parameter per statement, so that each
// is an object of its own: present when the table's reloptions name it, and
// compared by value. The value is a number or a word, kept as reloptions
// keeps it (words in lower case).
Result<SchemaObject> ParseStorageParameter(Cursor& cursor, SchemaObject object) {
  if (!cursor.AcceptPunct("(")) return cursor.Fail("expected '(' after SET");
  size_t name_token = cursor.Position();
  auto name = cursor.Identifier("storage parameter name");
  if (!name) return name.error();
  if (!cursor.AcceptPunct("=")) return cursor.Fail("expected '=' after the storage parameter's name");
  const Token& value = cursor.Peek();
  if (cursor.AtEnd() || (value.kind != TokenKind::Number && value.kind != TokenKind::Word)) {
    return cursor.Fail("expected a number or a word as the storage parameter's value");
  }
  object.parameter_value = value.kind == TokenKind::Word ? ToLower(value.text) : std::string(value.text);
  cursor.Next();
  if (!cursor.AcceptPunct(")")) return cursor.Fail("set one storage parameter per statement");
  if (!cursor.AtEnd()) return cursor.Fail("unexpected text after the storage parameter");
  object.kind = ObjectKind::StorageParameter;
  object.name = *name;
  SplitAroundName(object, cursor, name_token);
  return object;
}

Result<SchemaObject> ParseAlterTable(Cursor& cursor, SchemaObject object) {
  auto table = cursor.QualifiedName("table name");
  if (!table) return table.error();
  object.schema = table->first;
  object.table = table->second;
  size_t table_token = cursor.Position() - 1;
  if (cursor.AcceptAll({"ENABLE", "ROW", "LEVEL", "SECURITY"})) {
    object.kind = ObjectKind::RowSecurity;
    object.name = object.table;
    SplitAroundName(object, cursor, table_token);
    return object;
  }
  if (cursor.Accept("SET")) return ParseStorageParameter(cursor, object);
  if (!cursor.Accept("ADD")) {
    return cursor.Fail("only ADD COLUMN, ADD CONSTRAINT, SET (storage parameter) and ENABLE ROW LEVEL SECURITY");
  }
  if (cursor.Accept("CONSTRAINT")) {
    size_t name_token = cursor.Position();
    auto name = cursor.Identifier("constraint name");
    if (!name) return name.error();
    object.kind = ObjectKind::Constraint;
    object.name = *name;
    SplitAroundName(object, cursor, name_token);
    return object;
  }
  cursor.Accept("COLUMN");
  if (cursor.AcceptAll({"IF", "NOT", "EXISTS"})) return cursor.Fail("write ADD COLUMN without IF NOT EXISTS");
  size_t column_start = cursor.Position();
  auto column =
      ParseTableElement(object.schema + "." + QuoteIdent(object.table), cursor.TextFrom(column_start), object);
  if (!column) return column.error();
  if (column->kind != ObjectKind::Column) return cursor.Fail("expected a column definition");
  SetAroundName(*column, cursor.Sql().substr(0, cursor.Offset(column_start)), std::move(column->tail));
  return column;
}

// CREATE PUBLICATION name, without FOR: a publication that exists already
// (Supabase creates supabase_realtime) is left as it is, and its tables are
// added one by one (ALTER PUBLICATION ... ADD TABLE).
Result<SchemaObject> ParseCreatePublication(Cursor& cursor, SchemaObject object) {
  if (cursor.AcceptAll({"IF", "NOT", "EXISTS"})) return cursor.Fail("write it without IF NOT EXISTS");
  size_t name_token = cursor.Position();
  auto name = cursor.Identifier("publication name");
  if (!name) return name.error();
  if (!cursor.AtEnd()) return cursor.Fail("add the publication's tables with ALTER PUBLICATION ... ADD TABLE");
  object.kind = ObjectKind::Publication;
  object.name = *name;
  SplitAroundName(object, cursor, name_token);
  return object;
}

// ALTER PUBLICATION name ADD TABLE schema.table: one table per statement.
Result<SchemaObject> ParseAlterPublication(Cursor& cursor, SchemaObject object) {
  size_t name_token = cursor.Position();
  auto name = cursor.Identifier("publication name");
  if (!name) return name.error();
  if (!cursor.AcceptAll({"ADD", "TABLE"})) return cursor.Fail("only ALTER PUBLICATION ... ADD TABLE");
  cursor.Accept("ONLY");
  auto table = cursor.QualifiedName("table name");
  if (!table) return table.error();
  if (!cursor.AtEnd()) return cursor.Fail("add one table per statement, without a column list or WHERE");
  object.kind = ObjectKind::PublicationTable;
  object.name = *name;
  object.schema = table->first;
  object.table = table->second;
  SplitAroundName(object, cursor, name_token);
  return object;
}

}  // namespace

Result<SchemaObject> ParseStatement(const std::string& statement) {
  auto tokens = Lex(statement);
  if (!tokens) return tokens.error();
  Cursor cursor(statement, std::move(*tokens));
  SchemaObject object;
  object.head = statement;
  if (cursor.Accept("GRANT")) return ParseGrant(cursor, object);
  // A backfill: its anchor is the statement before it (ParseObjects).
  if (cursor.Peek().Is("SELECT")) {
    object.kind = ObjectKind::Backfill;
    return object;
  }
  if (cursor.AcceptAll({"ALTER", "TABLE"})) return ParseAlterTable(cursor, object);
  if (cursor.AcceptAll({"ALTER", "PUBLICATION"})) return ParseAlterPublication(cursor, object);
  if (!cursor.Accept("CREATE")) return cursor.Fail("expected CREATE, ALTER TABLE, ALTER PUBLICATION, GRANT or SELECT");
  cursor.AcceptAll({"OR", "REPLACE"});
  if (cursor.Accept("TABLE")) {
    if (cursor.AcceptAll({"IF", "NOT", "EXISTS"})) return cursor.Fail("write CREATE TABLE without IF NOT EXISTS");
    return ParseCreateTable(cursor, object);
  }
  if (cursor.Accept("FUNCTION")) return ParseFunction(cursor, object);
  if (cursor.Accept("POLICY")) return ParsePolicy(cursor, object);
  // A constraint trigger is a trigger that may be deferred to COMMIT.
  if (cursor.Accept("TRIGGER") || cursor.AcceptAll({"CONSTRAINT", "TRIGGER"})) return ParseTrigger(cursor, object);
  if (cursor.Accept("INDEX") || cursor.AcceptAll({"UNIQUE", "INDEX"})) return ParseIndex(cursor, object);
  if (cursor.Accept("PUBLICATION")) return ParseCreatePublication(cursor, object);
  bool is_schema = cursor.Accept("SCHEMA");
  bool is_extension = !is_schema && cursor.Accept("EXTENSION");
  bool is_role = !is_schema && !is_extension && cursor.Accept("ROLE");
  if (!is_schema && !is_extension && !is_role) return cursor.Fail("unsupported statement");
  if (cursor.AcceptAll({"IF", "NOT", "EXISTS"})) return cursor.Fail("write it without IF NOT EXISTS");
  size_t name_token = cursor.Position();
  auto name = cursor.Identifier("name");
  if (!name) return name.error();
  object.kind = is_schema ? ObjectKind::Schema : is_extension ? ObjectKind::Extension : ObjectKind::Role;
  object.name = *name;
  object.schema = is_schema ? *name : "";
  SplitAroundName(object, cursor, name_token);
  return object;
}

}  // namespace agentbase::schema
