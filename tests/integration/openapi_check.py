#!/usr/bin/python3
"""Checks real gateway responses against services/gateway/openapi.json.

usage: openapi_check.py OPENAPI.json CASES
CASES: one case per line, "METHOD PATH-TEMPLATE STATUS BODY-FILE" (PATH-TEMPLATE
as in the document, e.g. /interviews/{id}).  Each body is validated against the
schema the document gives for that operation and status (application/json or
application/problem+json).  Prints one line per failure; exits 1 on any.
"""
import json
import sys
import warnings

import jsonschema

warnings.simplefilter("ignore", DeprecationWarning)


def main():
    doc = json.load(open(sys.argv[1]))
    resolver = jsonschema.RefResolver.from_schema(doc)
    failures = 0
    checked = 0
    for line in open(sys.argv[2]):
        if not line.strip():
            continue
        method, path, status, body_file = line.split()
        op = doc["paths"].get(path, {}).get(method.lower())
        if op is None:
            print(f"{method} {path}: not in the document")
            failures += 1
            continue
        resp = op["responses"].get(status)
        if resp is None:
            print(f"{method} {path}: status {status} not documented")
            failures += 1
            continue
        if "$ref" in resp:
            resp = resolver.resolve(resp["$ref"])[1]
        content = resp.get("content", {})
        media = content.get("application/json") or content.get("application/problem+json")
        if media is None:
            continue
        body = json.load(open(body_file))
        validator_cls = jsonschema.validators.validator_for({"$schema": "https://json-schema.org/draft/2020-12/schema"})
        v = validator_cls(media["schema"], resolver=resolver)
        errs = sorted(v.iter_errors(body), key=lambda e: list(e.path))
        for e in errs[:3]:
            print(f"{method} {path} {status}: {'/'.join(map(str, e.path))}: {e.message[:200]}")
        failures += bool(errs)
        checked += 1
    print(f"checked {checked} responses, {failures} failing")
    sys.exit(1 if failures else 0)


main()
