#pragma once
// The one way into valijson for this folder. Without VALIJSON_USE_EXCEPTIONS
// set before its first header, valijson reports a malformed schema by calling
// abort(); with it, by throwing. Every file here includes this header instead
// of valijson's own, so that the inline functions the macro changes are the
// same in each of them.

#if defined(VALIJSON_USE_EXCEPTIONS) && !VALIJSON_USE_EXCEPTIONS
#error "src/jsonschema needs valijson built with VALIJSON_USE_EXCEPTIONS=1"
#endif
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif

#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/constraints/constraint_visitor.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/subschema.hpp>
