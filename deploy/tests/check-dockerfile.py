"""Static checks of deploy/Dockerfile against the build context, run by test-rootfs.sh.

Without a Docker engine the COPY lines cannot be executed, so this checks what they depend on:
every source of a COPY from the context exists in the repository (models/ with the trunk
included) and is not
excluded by .dockerignore; what lands in /opt/semadjust gets an explicit --chmod; the
runtime stage runs as uid 10001, which runtime-setup.sh creates; HEALTHCHECK runs a file the
image holds; ENTRYPOINT is in exec form (so the service is PID 1 and gets SIGTERM itself).

Usage: python3 check-dockerfile.py (from anywhere; exit status 1 on any failure).
"""

import fnmatch
import glob
import json
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
failures = []


def instructions(path):
    """(keyword, arguments) per instruction, continuation lines joined, comments dropped."""
    out, pending = [], ""
    for raw in open(path):
        line = raw.rstrip("\n")
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, rest = line.strip().partition(" ")
        out.append((keyword.upper(), rest.strip()))
    return out


def ignore_patterns():
    patterns = []
    for line in open(os.path.join(ROOT, ".dockerignore")):
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(line.rstrip("/"))
    return patterns


def matches(path, pattern):
    if pattern.startswith("**/"):
        parts = path.split("/")
        return any(fnmatch.fnmatchcase("/".join(parts[i:]), pattern[3:]) for i in range(len(parts)))
    return fnmatch.fnmatchcase(path, pattern)


def ignored(relative, patterns):
    """Docker's rule, near enough for the patterns used here: the last matching line decides
    (`!` re-includes), and a path inside an excluded folder is excluded with it."""
    parts = relative.split("/")
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        verdict = False
        for pattern in patterns:
            negate = pattern.startswith("!")
            if matches(prefix, pattern[1:] if negate else pattern):
                verdict = not negate
        if verdict:
            return True
    return False


def safetensors_metadata(path):
    with open(path, "rb") as f:
        length = int.from_bytes(f.read(8), "little")
        return json.loads(f.read(length)).get("__metadata__", {})


def main():
    steps = instructions(os.path.join(ROOT, "deploy", "Dockerfile"))
    patterns = ignore_patterns()
    stages = [i for i, (k, _) in enumerate(steps) if k == "FROM"]
    check(len(stages) >= 2, "not a multi-stage build")
    runtime = steps[stages[-1]:]

    for keyword, args in steps:
        if keyword not in ("COPY", "ADD"):
            continue
        words = args.split()
        if any(w.startswith("--from") for w in words):
            continue
        sources = [w for w in words if not w.startswith("--")][:-1]
        for source in sources:
            source = source.rstrip("/")
            matches = glob.glob(os.path.join(ROOT, source))
            if not matches and source.endswith("*"):
                continue  # optional glob such as Package.resolved*
            check(matches, f"COPY source {source} does not exist in the build context")
            for match in matches:
                relative = os.path.relpath(match, ROOT)
                check(not ignored(relative, patterns), f"COPY source {relative} is excluded by .dockerignore")
    # The image copies models/*.safetensors: the trunk each head names must be among them.
    for head in glob.glob(os.path.join(ROOT, "models", "*.safetensors")):
        trunk = safetensors_metadata(head).get("trunk")
        if trunk and trunk != "embedded":
            check(os.path.isfile(os.path.join(ROOT, "models", trunk)), f"{os.path.basename(head)} names the trunk {trunk}, not in models/")
    for must_go in (".build", ".build-deploy", "deploy/.cache", "pairs", "cache", ".git"):
        check(ignored(must_go, patterns), f"{must_go} is not excluded by .dockerignore")
    for must_stay in ("Sources/HTTPCore/Server/HTTPServer.swift", "Package.swift", "models/README.md", "deploy/runtime-setup.sh"):
        check(not ignored(must_stay, patterns), f"{must_stay} is excluded by .dockerignore")

    user = [a for k, a in runtime if k == "USER"]
    check(user == ["10001:10001"], f"the runtime stage's USER is {user}, not 10001:10001")
    setup = open(os.path.join(ROOT, "deploy", "runtime-setup.sh")).read()
    check("--uid 10001" in setup and "--gid 10001" in setup, "runtime-setup.sh does not create uid/gid 10001")
    copied = {a.split()[-1] for k, a in runtime if k == "COPY"}
    for keyword, args in runtime:
        if keyword == "COPY" and "/opt/semadjust/" in args:
            check("--chmod=" in args, f"COPY {args} keeps the source's mode (a 0600 weights file would be unreadable by uid 10001)")
    health = [a for k, a in runtime if k == "HEALTHCHECK"]
    check(len(health) == 1 and "CMD" in health[0], "no HEALTHCHECK ... CMD in the runtime stage")
    if health:
        command = json.loads(health[0].split("CMD", 1)[1].strip())
        check(command[0] in copied, f"HEALTHCHECK runs {command[0]}, which no COPY puts in the image")
    entrypoint = [a for k, a in runtime if k == "ENTRYPOINT"]
    check(len(entrypoint) == 1 and entrypoint[0].startswith("["), "ENTRYPOINT is not in exec form")
    if entrypoint:
        check(json.loads(entrypoint[0])[0] in copied, "ENTRYPOINT runs a file no COPY puts in the image")
    check(("STOPSIGNAL", "SIGTERM") in runtime, "no STOPSIGNAL SIGTERM")
    env = [a for k, a in runtime if k == "ENV"]
    check("SEMADJUST_HOST=::" in env and "SEMADJUST_LOG_FORMAT=json" in env, "SEMADJUST_HOST=:: / SEMADJUST_LOG_FORMAT=json missing")
    check(all(" " not in e and "=" in e for e in env), "an ENV line is not one NAME=value (test-rootfs.sh reads them that way)")


def check(condition, message):
    if not condition:
        failures.append(message)


if __name__ == "__main__":
    main()
    for failure in failures:
        print(f"check-dockerfile: FAIL: {failure}", file=sys.stderr)
    if failures:
        sys.exit(1)
    print("check-dockerfile: ok: COPY sources exist and survive .dockerignore; USER 10001, HEALTHCHECK, exec ENTRYPOINT, STOPSIGNAL")
