#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Checks that every code block of a Markdown page that is announced by
`<!-- from PATH -->` (PATH relative to the repository root) is a verbatim, contiguous run of
lines of that file, up to a common indentation. docs/integration.md shows code from the examples
this way, so that its snippets are always code that compiles.

    check_doc_snippets.py REPO_ROOT DOC.md [DOC.md...]
"""
import re
import sys
from pathlib import Path

FROM = re.compile(r"^<!-- from (\S+) -->\s*$")


def blocks(lines):
    """Yields (line number, source path, code lines) for every announced code block."""
    i = 0
    while i < len(lines):
        m = FROM.match(lines[i])
        if not m:
            i += 1
            continue
        start = i + 1
        if start >= len(lines) or not lines[start].startswith("```"):
            yield (i + 1, m.group(1), None)
            i += 1
            continue
        end = start + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        yield (start + 1, m.group(1), lines[start + 1:end])
        i = end + 1


def indent(s):
    return len(s) - len(s.lstrip(" "))


def found(code, source):
    if not code:
        return False
    first = code[0]
    for i in range(len(source) - len(code) + 1):
        if source[i].strip() != first.strip():
            continue
        shift = indent(source[i]) - indent(first)
        if shift < 0:
            continue
        pad = " " * shift
        if all((not c.strip() and not s.strip()) or s == pad + c
               for c, s in zip(code, source[i:i + len(code)])):
            return True
    return False


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(argv[1])
    failures = checked = 0
    for doc in argv[2:]:
        lines = Path(doc).read_text(encoding="utf-8").splitlines()
        for line, rel, code in blocks(lines):
            checked += 1
            where = f"{doc}:{line}"
            if code is None:
                print(f"{where}: `<!-- from {rel} -->` is not followed by a code block")
                failures += 1
                continue
            path = root / rel
            if not path.is_file():
                print(f"{where}: {rel} does not exist")
                failures += 1
                continue
            if not found(code, path.read_text(encoding="utf-8").splitlines()):
                print(f"{where}: this block is not a verbatim part of {rel}:")
                for c in code:
                    print(f"    | {c}")
                failures += 1
    if checked == 0:
        print("no announced code block found: is the `<!-- from PATH -->` marker still used?")
        return 1
    print(f"{checked} snippets checked, {failures} not found in their source")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
