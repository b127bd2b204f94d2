#!/usr/bin/env python3
"""The include rules of docs/architecture.md ("What may include what"), checked on the
sources: core/ includes only core/; a profiler's folder in core/ includes the shared base
and core/symbols/, never another profiler's folder (core/crash/ may include core/error/,
whose terminate hook notes the exception a crash record names); transport/ includes no
agent/ or preload/; agent/ no preload/. Usage: check_include_rules.py SOURCE_ROOT"""
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


def main():
    found = list(violations(pathlib.Path(sys.argv[1])))
    print("\n".join(found) if found else "include rules hold")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
