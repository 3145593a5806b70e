#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Checks that every C++ snippet of README.md and docs/*.md is real, compiled code.

A ```cpp block passes when its lines (spaces normalized, blank lines and `...` lines dropped)
appear, contiguous and in order, in a file that CI compiles: examples/**, tools/**, tests/** or
include/** (*.cpp, *.hpp). Usage snippets come from examples/usage.cpp, which runs them; signature
listings come from the headers. Exit status 1 lists every block that matches nothing.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent


def norm(line):
    return " ".join(line.strip().split())


def code_lines(text):
    return [n for n in (norm(l) for l in text.splitlines()) if n and n != "..." and n != "// ..."]


sources = []
for d in ("examples", "tools", "tests", "include"):
    for f in (root / d).rglob("*"):
        if f.suffix in (".cpp", ".hpp") and "node_modules" not in f.parts:
            sources.append((f, code_lines(f.read_text(encoding="utf-8", errors="replace"))))


def found(block):
    n = len(block)
    for f, lines in sources:
        first = block[0]
        for i, l in enumerate(lines):
            if l == first and lines[i:i + n] == block:
                return f
    return None


docs = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
fence = re.compile(r"^```(\w*)\s*$")
bad = 0
count = 0
for doc in docs:
    lang, start, buf = None, 0, []
    for no, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        m = fence.match(line.strip())
        if lang is None and m and m.group(1):
            lang, start, buf = m.group(1), no, []
        elif lang is not None and line.strip() == "```":
            if lang in ("cpp", "c++", "cxx"):
                block = code_lines("\n".join(buf))
                count += 1
                if block and found(block) is None:
                    print(f"{doc.relative_to(root)}:{start}: C++ snippet not found in compiled code")
                    bad += 1
            lang = None
        elif lang is not None:
            buf.append(line)
print(f"{count} C++ snippets checked, {bad} not found in compiled code")
sys.exit(1 if bad else 0)
