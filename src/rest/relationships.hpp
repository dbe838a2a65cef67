#pragma once
// PostgREST's relationship model: what embedding (`select=*,other(*)`) can
// follow from a table, a view or a function's result.
//
// From every foreign key come two relationships, many-to-one from the table
// holding it and one-to-many back, or one-to-one both ways when its columns
// are the holder's primary key or a unique key. Views take part through
// their columns' origins (a view column that is a table column carries that
// column's keys), so a view over a hidden table embeds like the table.
// A table whose primary key covers the columns of two foreign keys is a
// junction: it relates the two referenced tables many-to-many. A view has
// the primary key of a table whose key columns it shows all of, so a view
// over a junction is a junction too. A function
// taking a table's row and returning rows of another is a computed
// relationship.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace agentbase::rest {

enum class Cardinality { kManyToOne, kOneToMany, kOneToOne, kManyToMany, kComputed };

struct ColumnPair {
  std::string source;  // a column of the relationship's source
  std::string target;  // the column of its target (or junction) it equals
};

struct Junction {
  std::string table;
  std::string source_constraint;           // the junction's key to the source
  std::string target_constraint;           // and to the target
  std::vector<ColumnPair> source_columns;  // source column = junction column
  std::vector<ColumnPair> target_columns;  // junction column = target column
};

struct Relationship {
  std::string source;  // exposed relations (schema cache names)
  std::string target;
  Cardinality cardinality = Cardinality::kManyToOne;
  std::string constraint;           // the foreign key's name; the function's for computed ones
  std::vector<ColumnPair> columns;  // source = target, for all but many-to-many and computed
  std::optional<Junction> junction;
  bool is_self = false;  // the foreign key refers to its own table
  bool target_is_view = false;
  bool to_one = false;  // an object, not an array

  // The foreign key's one column on the source / target side, for hints.
  std::optional<std::string> SingleSourceColumn() const;
  std::optional<std::string> SingleTargetColumn() const;
};

// ---------------------------------------------------------------------------
// What the catalog says, and the relationships made of it.

struct QualifiedName {
  std::string schema;
  std::string name;
  auto operator<=>(const QualifiedName&) const = default;
};

struct ForeignKeyDefinition {
  std::string name;
  QualifiedName table;
  std::vector<std::string> columns;
  QualifiedName referenced;
  std::vector<std::string> referenced_columns;
  bool one_to_one = false;  // its columns are exactly a primary or unique key of `table`
};

// A view column of the exposed schema that is a column of another relation.
struct ViewColumnOrigin {
  std::string view;
  std::string column;
  QualifiedName base;
  std::string base_column;
};

struct ComputedRelationshipDefinition {
  std::string function;
  std::string source;  // the relation whose row the function takes
  std::string target;  // the relation whose rows it returns
  bool single_row = false;
};

struct RelationshipCatalog {
  std::string schema;                                            // the exposed schema
  std::map<std::string, bool> relations;                         // exposed relation name -> is a view
  std::map<std::string, std::vector<std::string>> primary_keys;  // exposed tables' keys
  std::vector<ForeignKeyDefinition> foreign_keys;                // every foreign key the catalog has
  std::vector<ViewColumnOrigin> view_columns;
  // The primary keys (in key order) of the relations view_columns name as
  // bases, hidden ones included.
  std::map<QualifiedName, std::vector<std::string>> base_primary_keys;
  std::vector<ComputedRelationshipDefinition> computed;
};

// Every relationship, by source relation.
std::map<std::string, std::vector<Relationship>> BuildRelationships(const RelationshipCatalog& catalog);

// Both of the catalog's derived facts at once, its views traced once: the
// relationships (BuildRelationships) and the views' primary keys
// (ViewPrimaryKeys).
struct RelationshipModel {
  std::map<std::string, std::vector<Relationship>> relationships;
  std::map<std::string, std::vector<std::string>> view_primary_keys;
};
RelationshipModel BuildRelationshipModel(const RelationshipCatalog& catalog);

// The primary keys views take from their tables, by view: the view's columns
// showing every column of a table's primary key, in key order (the first
// view column showing each, the first such table in the view's column
// order). PostgREST infers them so; views showing no whole key have none.
std::map<std::string, std::vector<std::string>> ViewPrimaryKeys(const RelationshipCatalog& catalog);

}  // namespace agentbase::rest
