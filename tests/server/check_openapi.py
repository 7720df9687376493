#!/usr/bin/env python3
"""Independent check of docs/openapi.json (used by tests/server/openapi_test.cpp).

Two layers:
  1. openapi_spec_validator (the JSON Schema of OpenAPI 3.0/3.1 plus its semantic rules), when
     the module is installed; "--require-validator" makes its absence an error.
  2. Structural rules checked with the standard library only, so the check never passes by
     doing nothing: the openapi version, info.title/version, every path starting with '/',
     every operation having responses with status codes or 'default', every path template
     parameter declared as a required path parameter, unique operationIds, every tag used
     declared, every security requirement naming a declared scheme, and every "$ref" resolving
     to an existing node of the document.

Prints one line per problem and exits 1 if there is any, else prints "ok" and exits 0.
"""

import json
import re
import sys

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def resolve(doc, ref):
    if not ref.startswith("#/"):
        return False
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


def walk_refs(doc, node, where, problems):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                if not resolve(doc, value):
                    problems.append(f"{where}: $ref {value} does not resolve")
            else:
                walk_refs(doc, value, f"{where}/{key}", problems)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            walk_refs(doc, value, f"{where}/{i}", problems)


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node and resolve(doc, node["$ref"]):
        target = doc
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def structural(doc):
    problems = []
    if not isinstance(doc, dict):
        return ["the document is not a JSON object"]
    if not re.fullmatch(r"3\.(0|1)\.\d+", str(doc.get("openapi", ""))):
        problems.append(f"openapi must be 3.0.x or 3.1.x, not {doc.get('openapi')!r}")
    info = doc.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("title"), str) or not isinstance(info.get("version"), str):
        problems.append("info.title and info.version are required strings")
    paths = doc.get("paths")
    if not isinstance(paths, dict) or not paths:
        problems.append("paths must be a non-empty object")
        paths = {}
    components = doc.get("components", {})
    schemes = set(components.get("securitySchemes", {}))
    declared_tags = {t.get("name") for t in doc.get("tags", []) if isinstance(t, dict)}
    operation_ids = set()
    for path, item in paths.items():
        if not path.startswith("/"):
            problems.append(f"path {path!r} does not start with '/'")
        if not isinstance(item, dict):
            problems.append(f"{path}: path item is not an object")
            continue
        template = set(re.findall(r"\{([^}/]+)\}", path))
        operations = {m: o for m, o in item.items() if m in METHODS}
        if not operations:
            problems.append(f"{path}: no operation")
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            if not isinstance(op, dict):
                problems.append(f"{where}: operation is not an object")
                continue
            responses = op.get("responses")
            if not isinstance(responses, dict) or not responses:
                problems.append(f"{where}: no responses")
            else:
                for code, response in responses.items():
                    if code != "default" and not re.fullmatch(r"[1-5](\d\d|XX)", code):
                        problems.append(f"{where}: response key {code!r} is not a status code")
                    if not isinstance(deref(doc, response), dict) or "description" not in deref(doc, response):
                        problems.append(f"{where}: response {code} has no description")
            oid = op.get("operationId")
            if oid is not None:
                if oid in operation_ids:
                    problems.append(f"{where}: duplicate operationId {oid}")
                operation_ids.add(oid)
            for tag in op.get("tags", []):
                if tag not in declared_tags:
                    problems.append(f"{where}: tag {tag!r} is not declared")
            for requirement in op.get("security", doc.get("security", [])):
                for name in requirement:
                    if name not in schemes:
                        problems.append(f"{where}: security scheme {name!r} is not declared")
            params = [deref(doc, p) for p in item.get("parameters", []) + op.get("parameters", [])]
            in_path = {p.get("name") for p in params if isinstance(p, dict) and p.get("in") == "path"}
            for p in params:
                if isinstance(p, dict) and p.get("in") == "path" and p.get("required") is not True:
                    problems.append(f"{where}: path parameter {p.get('name')} must be required")
            if in_path != template:
                problems.append(f"{where}: path parameters {sorted(in_path)} do not match the template {sorted(template)}")
    walk_refs(doc, doc, "#", problems)
    return problems


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print("usage: check_openapi.py [--require-validator] openapi.json")
        return 2
    try:
        with open(args[0], "rb") as f:
            doc = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as e:
        print(f"cannot read the document: {e}")
        return 1
    problems = structural(doc)
    try:
        from openapi_spec_validator import validate
    except ImportError:
        if "--require-validator" in sys.argv:
            problems.append("openapi_spec_validator is not installed")
    else:
        try:
            validate(doc)
        except Exception as e:  # the validator's own error types differ between versions
            problems.append(f"openapi_spec_validator: {str(e).splitlines()[0][:300]}")
    for p in problems:
        print(p)
    if problems:
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
