#!/usr/bin/env python3
"""The include rules of docs/architecture.md ("What may include what"), checked on the
sources: core/ includes only core/; a profiler's folder in core/ includes the shared base
and core/symbols/, never another profiler's folder (core/crash/ may include core/error/,
whose terminate hook notes the exception a crash record names); transport/ includes no
agent/ or preload/; agent/ no preload/. Inside dashboard/server/ each folder includes only
the folders below it (docs/dashboard.md, "How it is built"), and the shared base at its top
level (result.h, json_out.h, input_limits.h, secrets.h, gzip_fast.h) includes only itself.
Usage: check_include_rules.py SOURCE_ROOT"""
import pathlib
import re
import sys

PROFILERS = {"cpu", "allocation", "block", "error", "crash"}
ALLOWED_BETWEEN_PROFILERS = {("crash", "error")}
FORBIDDEN_FOLDERS = {
    "core": {"agent", "preload", "transport", "tools", "dashboard"},
    "transport": {"agent", "preload", "tools", "dashboard"},
    "agent": {"preload", "tools", "dashboard"},
}
SERVER_BASE = {"result.h", "json_out.h", "input_limits.h", "secrets.h", "gzip_fast.h"}
SERVER_FOLDERS_BELOW = {
    "api": {"model", "anomaly", "notify", "http", "operations"},
    "operations": set(),
    "http": set(),
    "model": {"anomaly"},
    "anomaly": {"model"},
    "notify": {"anomaly", "model"},
    "sqlite": {"model"},
    "postgres": {"model"},
    "migrate": {"sqlite", "postgres", "model"},
}
INCLUDE = re.compile(r'^#include "([^"]+)"', re.MULTILINE)


def violations(root):
    for path in sorted(root.glob("*/**/*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        parts = path.relative_to(root).parts
        folder = parts[0]
        if folder not in FORBIDDEN_FOLDERS:
            continue
        for included in INCLUDE.findall(path.read_text()):
            target = included.split("/")
            if target[0] in FORBIDDEN_FOLDERS[folder]:
                yield f"{path.relative_to(root)} includes {included}"
            if folder == "core" and len(parts) > 2 and parts[1] in PROFILERS:
                if target[0] == "core" and len(target) > 2 and target[1] in PROFILERS:
                    if target[1] != parts[1] and (parts[1], target[1]) not in ALLOWED_BETWEEN_PROFILERS:
                        yield f"{path.relative_to(root)} includes {included}"


def server_violations(root):
    server = root / "dashboard" / "server"
    for path in sorted(server.glob("**/*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        parts = path.relative_to(server).parts
        folder = parts[0] if len(parts) > 1 else None
        if folder is None and parts[0].removesuffix(".cpp").removesuffix(".h") + ".h" not in SERVER_BASE:
            continue  # the process's own files include anything
        for included in INCLUDE.findall(path.read_text()):
            if not included.startswith("dashboard/server/"):
                continue
            target = included.removeprefix("dashboard/server/").split("/")
            if len(target) == 1:
                allowed = target[0] in SERVER_BASE
            elif folder is None:
                allowed = False
            else:
                allowed = target[0] == folder or target[0] in SERVER_FOLDERS_BELOW.get(folder, set())
            if not allowed:
                yield f"{path.relative_to(root)} includes {included}"


def main():
    root = pathlib.Path(sys.argv[1])
    found = list(violations(root)) + list(server_violations(root))
    print("\n".join(found) if found else "include rules hold")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
