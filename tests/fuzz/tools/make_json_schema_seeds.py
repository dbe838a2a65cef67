#!/usr/bin/env python3
"""Writes the raw seed inputs of fuzz_json_schema, into a directory of raw
seeds (by default build-fuzz/raw-seeds/fuzz_json_schema): each test of the
official JSON-Schema-Test-Suite (Debian's json-schema-test-suite, draft7 and
draft4, optional/ too) as "<schema>\\0<instance>", and a few hostile pairs
(patterns that backtrack, deep nesting, reference cycles). The checked-in
corpus is these after `libFuzzer -merge=1` kept those that add coverage
(docs/fuzzing.md has the command)."""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
OUT = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build-fuzz" / "raw-seeds"
SUITE = pathlib.Path("/usr/share/json-schema-test-suite/tests")
DRAFT4 = "http://json-schema.org/draft-04/schema#"

directory = OUT / "fuzz_json_schema"
directory.mkdir(parents=True, exist_ok=True)
count = 0


def write(schema_text, instance_text):
    global count
    (directory / f"seed-{count:05d}").write_bytes(schema_text.encode() + b"\0" + instance_text.encode())
    count += 1


for draft in ("draft7", "draft4"):
    for path in sorted((SUITE / draft).rglob("*.json")):
        for case in json.loads(path.read_text()):
            schema = case["schema"]
            if draft == "draft4" and isinstance(schema, dict) and "$schema" not in schema:
                schema = dict(schema, **{"$schema": DRAFT4})
            for test in case["tests"]:
                write(json.dumps(schema), json.dumps(test["data"]))

write('{"pattern": "^(a+)+$"}', json.dumps("a" * 4000 + "b"))
write('{"pattern": "^(a|b)*$"}', json.dumps("ab" * 4000))
write('{"patternProperties": {"^(x+x+)+y$": {"type": "integer"}}}', json.dumps({"x" * 3000: 1}))
write('{"properties": {"a": {"$ref": "#"}}, "allOf": [{"properties": {"a": {"$ref": "#"}}}]}',
      '{"a":' * 30 + "1" + "}" * 30)
write('{"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}, '
      '"$ref": "#/definitions/a"}', "1")
write('{"allOf": [{"$ref": "#"}]}', "1")
write('{"uniqueItems": true}', json.dumps(list(range(1000)) + [999.0]))
write('{"items": {"enum": [1, "a", {"b": [null]}], "not": {"const": 2}}}', '[1, "a", {"b": [null]}, 2]')
write('{"propertyNames": {"maxLength": 3, "pattern": "^[a-z]"}, "dependencies": {"a": ["b"], "c": {"required": ["d"]}}}',
      '{"a": 1, "c": 2, "Long": 3}')
write('{"if": {"minimum": 0}, "then": {"multipleOf": 0.01}, "else": {"multipleOf": 3}}', "-7.5")
print(f"{count} seeds in {directory}")
