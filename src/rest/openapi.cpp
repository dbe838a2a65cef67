#include "rest/openapi.hpp"

#include <boost/json.hpp>

#include "util/text.hpp"

namespace agentbase::rest {

namespace json = boost::json;

namespace {

// Swagger's type and format for a PostgreSQL type.
json::object PropertyFor(const Column& column) {
  json::object property;
  const std::string& type = column.base_type;
  auto scalar = [&](const std::string& name) -> json::object {
    if (name == "int2" || name == "int4" || name == "int8") return {{"type", "integer"}};
    if (name == "float4" || name == "float8" || name == "numeric") return {{"type", "number"}};
    if (name == "bool") return {{"type", "boolean"}};
    if (name == "json" || name == "jsonb") return {};
    return {{"type", "string"}};
  };
  if (column.is_array) {
    property["type"] = "array";
    property["items"] = scalar(type);
  } else {
    property = scalar(type);
  }
  property["format"] = column.type;
  return property;
}

json::object Definition(const Table& table) {
  json::object properties;
  json::array required;
  for (const auto& column : table.columns) {
    json::object property = PropertyFor(column);
    if (std::find(table.primary_key.begin(), table.primary_key.end(), column.name) != table.primary_key.end()) {
      property["description"] = "Note:\nThis is a Primary Key.<pk/>";
    }
    properties[column.name] = std::move(property);
    if (!column.nullable && !column.has_default) required.push_back(json::value(column.name));
  }
  json::object definition{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) definition["required"] = std::move(required);
  if (!table.description.empty()) definition["description"] = table.description;
  return definition;
}

json::object Operation(const std::string& tag, const std::string& summary, int status) {
  return json::object{{"tags", json::array{json::value(tag)}},
                      {"summary", summary},
                      {"responses", json::object{{std::to_string(status), json::object{{"description", "OK"}}}}}};
}

}  // namespace

std::string OpenApiDocument(const SchemaCache& cache, const http::Request& request) {
  json::object paths;
  json::object definitions;
  paths["/"] = json::object{{"get", Operation("Introspection", "OpenAPI description (this document)", 200)}};
  for (const auto& [name, table] : cache.Tables()) {
    definitions[name] = Definition(table);
    json::object item{{"get", Operation(name, "Read " + name, 200)}};
    // The writes PostgreSQL accepts: all on tables, on views what they take.
    if (table.insertable) item["post"] = Operation(name, "Insert into " + name, 201);
    if (table.updatable) item["patch"] = Operation(name, "Update " + name, 204);
    if (table.deletable) item["delete"] = Operation(name, "Delete from " + name, 204);
    // PUT upserts the row its primary key names: only relations that have one.
    if (table.insertable && table.updatable && !table.primary_key.empty()) {
      item["put"] = Operation(name, "Upsert one row of " + name, 204);
    }
    paths["/" + name] = std::move(item);
  }
  for (const auto& [name, function] : cache.Functions()) {
    json::object properties;
    json::array required;
    for (const auto& argument : function.arguments) {
      properties[argument.name] = json::object{{"format", argument.type}};
      if (!argument.has_default) required.push_back(json::value(argument.name));
    }
    json::object body_schema{{"type", "object"}, {"properties", std::move(properties)}};
    if (!required.empty()) body_schema["required"] = std::move(required);
    json::object post = Operation("(rpc) " + name, function.description.empty() ? name : function.description, 200);
    post["parameters"] = json::array{
        json::object{{"in", "body"}, {"name", "args"}, {"required", true}, {"schema", std::move(body_schema)}}};
    paths["/rpc/" + name] = json::object{{"post", std::move(post)}, {"get", Operation("(rpc) " + name, name, 200)}};
  }
  std::string host(request.Header("host").value_or("localhost"));
  json::object document{
      {"swagger", "2.0"},
      {"info", json::object{{"title", "agentbase REST API"},
                            {"description", "PostgREST-compatible API over the '" + cache.Schema() + "' schema"},
                            {"version", "0.1.0"}}},
      {"host", host},
      {"basePath", "/rest/v1"},
      {"schemes", json::array{json::value("http")}},
      {"consumes", json::array{json::value("application/json"), json::value("application/vnd.pgrst.object+json")}},
      {"produces", json::array{json::value("application/json"), json::value("application/vnd.pgrst.object+json"),
                               json::value("text/csv")}},
      {"paths", std::move(paths)},
      {"definitions", std::move(definitions)},
  };
  return json::serialize(document);
}

}  // namespace agentbase::rest
