#!/usr/bin/env python3
"""Writes Sources/Server/Web/WebAssets.swift from web/ (`make web-assets`).

The binary serves the page at GET / from this generated source, so it needs no files beside the
executable. WebAssetsTests fails when the embedded copy and web/ differ, so a stale page cannot
ship. With --check it only reports whether the generated file is current (exit 1 when not).
"""
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent
target = root / "Sources" / "Server" / "Web" / "WebAssets.swift"
# Swift member name -> file under web/.
files = [("indexHTML", "index.html"), ("appJS", "app.js"), ("styleCSS", "style.css")]


def literal(text: str) -> str:
    # A raw string needs a delimiter the file never contains, neither to close it nor to
    # interpolate; and a multi-line literal cannot hold a carriage return as such.
    if "\r" in text:
        sys.exit("web/ files must use LF line endings")
    hashes = "#"
    while f'"""{hashes}' in text or f"\\{hashes}" in text:
        hashes += "#"
    return f'{hashes}"""\n{text}\n"""{hashes}'


members = []
for name, file in files:
    text = (root / "web" / file).read_text(encoding="utf-8")
    members.append(f"    /// web/{file}\n    static let {name} = {literal(text)}\n")

source = (
    "// Generated from web/ by `make web-assets` (tests-web/embed_web_assets.py): do not edit.\n"
    "// WebAssetsTests fails when this copy and web/ differ.\n\n"
    "/// The browser page's files, compiled into the binary so that `GET /` works with no file\n"
    "/// beside the executable. Served by `WebRoutes`. Not SwiftPM resources: those are a bundle\n"
    "/// folder the static deploy binary and an installed binary would have to carry beside them.\n"
    "enum WebAssets {\n" + "\n".join(members) + "}\n"
)

if "--check" in sys.argv[1:]:
    current = target.read_text(encoding="utf-8") if target.exists() else ""
    if current != source:
        sys.exit(f"{target.relative_to(root)} is stale: run `make web-assets`")
    sys.exit(0)
target.write_text(source, encoding="utf-8")
print(f"wrote {target.relative_to(root)} ({sum(len((root / 'web' / f).read_text()) for _, f in files)} characters)")
