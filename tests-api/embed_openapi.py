#!/usr/bin/env python3
"""Writes Sources/Server/OpenAPIDocument.swift from openapi.yaml (`make openapi-embed`).

The binary serves GET /openapi.yaml from this generated source, so a container needs no file
beside the executable. OpenAPITests fails when the two differ, so a stale copy cannot ship.
With --check it only reports whether the generated file is current (exit 1 when not).
"""
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent
yaml = (root / "openapi.yaml").read_text(encoding="utf-8")
target = root / "Sources" / "Server" / "OpenAPIDocument.swift"

# A raw string needs a delimiter the document never contains, neither to close it nor to interpolate.
hashes = "#"
while f'"""{hashes}' in yaml or f"\\{hashes}" in yaml:
    hashes += "#"

source = f"""// Generated from openapi.yaml by `make openapi-embed` (tests-api/embed_openapi.py): do not edit.
// OpenAPITests fails when this copy and openapi.yaml differ.

/// The service's OpenAPI document, compiled into the binary so that `GET /openapi.yaml` works
/// with no file beside the executable (containers, installed binaries). Not a SwiftPM resource: that
/// is a bundle folder the static deploy binary and an installed binary would have to carry beside them.
enum OpenAPIDocument {{
    static let yaml = {hashes}\"\"\"
{yaml}
\"\"\"{hashes}

    /// The UTF-8 bytes, encoded once rather than per request.
    static let bytes = Array(yaml.utf8)
}}
"""

if "--check" in sys.argv[1:]:
    current = target.read_text(encoding="utf-8") if target.exists() else ""
    if current != source:
        sys.exit(f"{target.relative_to(root)} is stale: run `make openapi-embed`")
    sys.exit(0)
target.write_text(source, encoding="utf-8")
print(f"wrote {target.relative_to(root)} ({len(yaml)} characters of YAML)")
