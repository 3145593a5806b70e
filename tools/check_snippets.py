#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Checks that every C++ snippet of README.md and docs/*.md is real, compiled code.

A ```cpp block passes when its lines (spaces normalized, blank lines and `...` lines dropped)
appear, contiguous and in order, in a file that CI compiles: examples/**, tools/**, tests/** or
include/** (*.cpp, *.hpp). Usage snippets come from examples/usage.cpp, which runs them; signature
listings come from the headers.

A block announced by a `<!-- from PATH -->` line (PATH relative to the repository root; blank
lines may separate the two) must be stricter still: a verbatim, contiguous run of lines of that
one file, up to a common indentation. docs/integration.md quotes the examples this way, so that
a reader can find the code where it runs.

Exit status 1 lists every block that fails.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
FROM = re.compile(r"^<!-- from (\S+) -->\s*$")
FENCE = re.compile(r"^```(\S*)\s*$")
CPP = ("cpp", "c++", "cxx")


def norm(line):
    return " ".join(line.strip().split())


def code_lines(text):
    return [n for n in (norm(l) for l in text.splitlines()) if n and n != "..." and n != "// ..."]


sources = []
for d in ("examples", "tools", "tests", "include"):
    for f in (root / d).rglob("*"):
        if f.suffix in (".cpp", ".hpp") and "node_modules" not in f.parts:
            sources.append((f, code_lines(f.read_text(encoding="utf-8", errors="replace"))))


def found_anywhere(block):
    n = len(block)
    for f, lines in sources:
        for i, l in enumerate(lines):
            if l == block[0] and lines[i:i + n] == block:
                return f
    return None


def indent(s):
    return len(s) - len(s.lstrip(" "))


def found_verbatim(code, source):
    """True when `code` is a contiguous run of `source`'s lines, all shifted by one indent."""
    while code and not code[0].strip():
        code = code[1:]
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


def blocks(lines):
    """Yields (line number of the fence, language, announced PATH or None, code lines), and
    (line number, None, PATH, None) for a marker that no code block follows."""
    i = 0
    announced = None
    while i < len(lines):
        line = lines[i]
        m = FROM.match(line)
        if m:
            if announced:
                yield (announced[0], None, announced[1], None)
            announced = (i + 1, m.group(1))
            i += 1
            continue
        f = FENCE.match(line.strip())
        if f:
            end = i + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            yield (i + 1, f.group(1), announced[1] if announced else None, lines[i + 1:end])
            announced = None
            i = end + 1
            continue
        if line.strip() and announced:
            yield (announced[0], None, announced[1], None)
            announced = None
        i += 1
    if announced:
        yield (announced[0], None, announced[1], None)


docs = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
bad = cpp_count = quoted = 0
for doc in docs:
    rel_doc = doc.relative_to(root)
    for no, lang, path, code in blocks(doc.read_text(encoding="utf-8").splitlines()):
        where = f"{rel_doc}:{no}"
        if path is not None:
            quoted += 1
            src = root / path
            if code is None:
                print(f"{where}: `<!-- from {path} -->` is not followed by a code block")
                bad += 1
            elif not src.is_file():
                print(f"{where}: {path} does not exist")
                bad += 1
            elif not found_verbatim(code, src.read_text(encoding="utf-8").splitlines()):
                print(f"{where}: this block is not a verbatim part of {path}:")
                for c in code:
                    print(f"    | {c}")
                bad += 1
            continue
        if lang in CPP:
            cpp_count += 1
            block = code_lines("\n".join(code))
            if block and found_anywhere(block) is None:
                print(f"{where}: C++ snippet not found in compiled code")
                bad += 1
print(f"{cpp_count} C++ snippets checked, {quoted} quoted blocks checked against their file, "
      f"{bad} failed")
sys.exit(1 if bad else 0)
