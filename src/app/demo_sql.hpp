#pragma once
// The SQL of the demo dataset (demo.hpp), in the order it runs. Each piece
// is a script of statements for Connection::ExecAll.

namespace agentbase::app::demo_sql {

const char* Helpers();         // pg_temp functions: fixed ids and lookups by slug or e-mail
const char* Tenants();         // the two demo tenants
const char* Organisation();    // departments, organisational roles, business functions
const char* Tools();           // tools with JSON Schema input schemas
const char* Agents();          // agents and their tools, and the business functions each serves
const char* Conversations();   // conversations
const char* StagedMessages();  // the messages, into the temporary table demo_messages
const char* Memories();        // user memories of every type

}  // namespace agentbase::app::demo_sql
