#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Generates single_include/siocodec/siocodec.hpp from include/siocodec/.

    python3 tools/amalgamate.py            regenerate the committed single header
    python3 tools/amalgamate.py --check    exit 1 if the committed single header is stale
    python3 tools/amalgamate.py --list     print the headers it inlines, in order

Every `#include <siocodec/...>` is replaced by the text of that header, recursively, the first
time it is met (depth first, so each header lands after the headers it includes); later includes
of the same header are dropped. Standard library includes and everything else stay byte for byte.

What goes in: everything include/siocodec/siocodec.hpp reaches, then every other header whose
includes are only siocodec, standard and compiler intrinsics headers (error_code.hpp, the
msgpack parser...). What stays out: adapters/ and any header that needs a third-party header (it
would make the single header depend on that library). Those are listed in the generated file;
vendors copy them next to it when they want them.

The multi-header tree is the source of truth: never edit the output by hand. See
docs/amalgamation.md.
"""

import argparse
import difflib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE_DIR = os.path.join(ROOT, "include")
OUTPUT = os.path.join(ROOT, "single_include", "siocodec", "siocodec.hpp")
ENTRY = "siocodec/siocodec.hpp"
REGENERATE = "python3 tools/amalgamate.py"

# Headers kept out of the single header whatever they include.
SEPARATE_DIRS = ("siocodec/adapters/",)

# Headers that may be included under a condition: every include of them in the tree is under
# that same condition and so is every use (detail/decimal.hpp: SIOCODEC_SIZE_FIRST), so that
# inlining one where it is first met hides it from no one who needs it.
# cmake/single_header_shims.cmake keeps the same list (its wrappers include these directly).
CONDITIONAL_OK = ("siocodec/detail/decimal.hpp",)

# The C++23 standard library headers and the C compatibility headers; anything else that is not
# siocodec/... is a third-party header.
STD_HEADERS = set("""
algorithm any array atomic barrier bit bitset cassert ccomplex cctype cerrno cfenv cfloat charconv
chrono cinttypes ciso646 climits clocale cmath codecvt compare complex concepts condition_variable
coroutine csetjmp csignal cstdalign cstdarg cstdbool cstddef cstdint cstdio cstdlib cstring ctgmath
ctime cuchar cwchar cwctype deque exception execution expected filesystem flat_map flat_set format
forward_list fstream functional future generator initializer_list iomanip ios iosfwd iostream
istream iterator latch limits list locale map mdspan memory memory_resource mutex new numbers
numeric optional ostream print queue random ranges ratio regex scoped_allocator semaphore set
shared_mutex source_location span spanstream sstream stack stacktrace stdexcept stdfloat stop_token
streambuf string string_view strstream syncstream system_error thread tuple type_traits typeindex
typeinfo unordered_map unordered_set utility valarray variant vector version
""".split())

# Compiler intrinsics, which headers include under #if for the target they are built for: part
# of every toolchain, so they do not make a header depend on a third-party library.
SYSTEM_HEADERS = {"immintrin.h", "x86intrin.h", "emmintrin.h", "tmmintrin.h", "smmintrin.h",
                  "nmmintrin.h", "wmmintrin.h", "arm_neon.h", "arm_sve.h", "intrin.h"}

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
IF_RE = re.compile(r"^\s*#\s*if(n?def)?\b")
ENDIF_RE = re.compile(r"^\s*#\s*endif\b")


class AmalgamationError(Exception):
    pass


def read_header(name):
    path = os.path.join(INCLUDE_DIR, name)
    if not os.path.isfile(path):
        raise AmalgamationError(f"<{name}> is included but include/{name} does not exist")
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    if "\r" in text:
        raise AmalgamationError(f"include/{name} has CR line endings")
    if not text.endswith("\n"):
        text += "\n"
    return text.splitlines(keepends=True)


def scan_includes(name):
    """The includes of one header as (kind, target, depth, line number); depth counts #if levels,
    the include guard being level 1."""
    found = []
    depth = 0
    for number, line in enumerate(read_header(name), 1):
        m = INCLUDE_RE.match(line)
        if m:
            found.append((m.group(1), m.group(2), depth, number))
        elif IF_RE.match(line):
            depth += 1
        elif ENDIF_RE.match(line):
            depth -= 1
    return found


def all_headers():
    names = []
    base = os.path.join(INCLUDE_DIR, "siocodec")
    for directory, _, files in os.walk(base):
        for f in files:
            if f.endswith(".hpp"):
                rel = os.path.relpath(os.path.join(directory, f), INCLUDE_DIR)
                names.append(rel.replace(os.sep, "/"))
    return sorted(names)


def foreign_includes(name, memo):
    """Third-party headers `name` needs, directly or through the siocodec headers it includes."""
    if name in memo:
        return memo[name]
    memo[name] = []  # cycles are cut by the include guards; they add nothing here
    result = []
    for kind, target, _, _ in scan_includes(name):
        if kind == "<" and target.startswith("siocodec/"):
            result += foreign_includes(target, memo)
        elif kind == "<" and (target in STD_HEADERS or target in SYSTEM_HEADERS):
            continue
        else:
            result.append(target)
    memo[name] = sorted(set(result))
    return memo[name]


def plan():
    """(headers to inline starting points, in order; headers left out with the reason)."""
    reachable = set()

    def walk(name):
        if name in reachable:
            return
        reachable.add(name)
        for kind, target, _, _ in scan_includes(name):
            if kind == "<" and target.startswith("siocodec/"):
                walk(target)

    walk(ENTRY)
    # What the umbrella reaches is in the single header whatever it includes.
    memo = {name: [] for name in reachable}
    roots = [ENTRY]
    left_out = []
    for name in all_headers():
        if name in reachable:
            continue
        foreign = foreign_includes(name, memo)
        if name.startswith(SEPARATE_DIRS):
            left_out.append((name, "adapter"))
        elif foreign:
            left_out.append((name, "needs " + ", ".join(f"<{f}>" for f in foreign)))
        else:
            roots.append(name)
    return roots, left_out


def amalgamate():
    roots, left_out = plan()
    done = []
    seen = set()

    def inline(name):
        seen.add(name)
        out = [f"// ---- begin <{name}> " + "-" * max(0, 80 - len(name)) + "\n"]
        depth = 0
        for number, line in enumerate(read_header(name), 1):
            m = INCLUDE_RE.match(line)
            if m and m.group(1) == '"':
                raise AmalgamationError(
                    f'include/{name}:{number}: quoted include "{m.group(2)}": use <siocodec/...>')
            if m and m.group(2).startswith("siocodec/"):
                target = m.group(2)
                if depth > 1 and target not in CONDITIONAL_OK:
                    # Inlining it here would hide it from every later include whenever the
                    # condition is false.
                    raise AmalgamationError(
                        f"include/{name}:{number}: <{target}> is included conditionally; "
                        "include siocodec headers unconditionally")
                if target not in seen:
                    out += inline(target)
                continue
            if IF_RE.match(line):
                depth += 1
            elif ENDIF_RE.match(line):
                depth -= 1
            out.append(line)
        out.append(f"// ---- end <{name}> " + "-" * max(0, 82 - len(name)) + "\n")
        done.append(name)
        return out

    body = []
    for name in roots:
        if name not in seen:
            body += inline(name)

    version = "unknown"
    for line in read_header("siocodec/version.hpp"):
        m = re.match(r'\s*#\s*define\s+SIOCODEC_VERSION_STRING\s+"([^"]+)"', line)
        if m:
            version = m.group(1)

    head = [
        "// SPDX-License-Identifier: BSL-1.0\n",
        f"// siocodec {version}, single header: the Engine.IO and Socket.IO codec in one file.\n",
        "//\n",
        "// GENERATED by tools/amalgamate.py from include/siocodec/: do not edit. To change it, edit\n",
        f"// the headers there and run `{REGENERATE}` (docs/amalgamation.md).\n",
        "//\n",
        "// Contents (each header once, after the headers it includes; include guards kept):\n",
    ]
    head += [f"//   <{name}>\n" for name in done]
    if left_out:
        head.append("// Not included (copy them next to this file to use them):\n")
        head += [f"//   <{name}>: {why}\n" for name, why in left_out]
    head += [
        "#ifndef SIOCODEC_SINGLE_HEADER_HPP\n",
        "#define SIOCODEC_SINGLE_HEADER_HPP\n",
        "\n",
    ]
    tail = ["\n", "#endif  // SIOCODEC_SINGLE_HEADER_HPP\n"]
    return "".join(head + body + tail), done, left_out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="exit 1 if the committed single header differs from a fresh one")
    mode.add_argument("--list", action="store_true", help="print the inlined headers in order")
    parser.add_argument("--output", default=OUTPUT, help="where to write (default: %(default)s)")
    args = parser.parse_args()

    try:
        text, done, left_out = amalgamate()
    except AmalgamationError as e:
        print(f"amalgamate.py: error: {e}", file=sys.stderr)
        return 2

    if args.list:
        for name in done:
            print(name)
        return 0

    rel = os.path.relpath(args.output, ROOT)
    if args.check:
        try:
            with open(args.output, encoding="utf-8", newline="") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current == text:
            print(f"{rel} is up to date ({len(done)} headers)")
            return 0
        print(f"{rel} is STALE: the headers in include/siocodec/ changed since it was generated.\n"
              f"Regenerate it with `{REGENERATE}` and commit the result.", file=sys.stderr)
        if current is None:
            print(f"({rel} does not exist)", file=sys.stderr)
        else:
            diff = list(difflib.unified_diff(current.splitlines(), text.splitlines(),
                                             "committed", "fresh", n=1, lineterm=""))
            for line in diff[:40]:
                print(line, file=sys.stderr)
            if len(diff) > 40:
                print(f"... ({len(diff) - 40} more diff lines)", file=sys.stderr)
        return 1

    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    print(f"wrote {rel}: {len(done)} headers, {text.count(chr(10))} lines")
    for name, why in left_out:
        print(f"  not included: {name} ({why})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
