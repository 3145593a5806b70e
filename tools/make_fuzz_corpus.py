#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Writes seed inputs for the fuzz targets, from the committed reference vectors
(tests/reference/vectors/*.jsonl), the JSON test tables (tests/unit/json/*_cases.txt), the
benchmark workloads (../shared/workloads/*.bin, when present) and a few protocol examples.

    tools/make_fuzz_corpus.py                  write the seeds into fuzz/corpus-work/<target>/
    fuzz/run.sh --merge 0                      then fold them into the committed fuzz/corpus/

The seeds go to the fuzzing working copy (git-ignored), not to the committed corpus: thousands
of them cover no more than a few hundred do, and `run.sh --merge` keeps only a minimal set of
inputs with the coverage of both (libFuzzer -set_cover_merge), so the committed corpus stays
small and the replay tests fast.

Each seed is laid out as its target reads its input (docs/fuzzing.md): usually an options byte
then the text, and for the targets that split their input (the chunked decoders, sequences of
frames) the decisions a FuzzedDataProvider-style reader takes from the end of the input are
appended, so that a seed cuts its body exactly where intended. Files are named by the SHA-256 of
their content; the script only ever adds files.
Deterministic: no clock, no unseeded randomness.
"""

import argparse
import hashlib
import json
import os
import random
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.join(ROOT, "tests", "reference", "vectors")
JSON_CASES = os.path.join(ROOT, "tests", "unit", "json")
WORKLOADS = os.environ.get("SIOCODEC_WORKLOADS",
                           os.path.join(os.path.dirname(ROOT), "shared", "workloads"))
CORPUS = os.path.join(ROOT, "fuzz", "corpus-work")

MAX_SEED = 4096      # bytes; matches max_len in the .options files
MAX_PER_TARGET = 400  # seeds per target (a deterministic sample beyond that)


# --- the input reader of fuzz/common.hpp, in reverse --------------------------------------------

def range_bytes(rng):
    """Bytes provider::integral() takes for a range hi - lo (big-endian, from the end)."""
    n = 0
    while n < 8 and (rng >> (8 * n)) != 0:
        n += 1
    return n


class Input:
    """Builds an input that provider (fuzz/common.hpp) reads back as the recorded decisions:
    integers come from the end of the input, byte strings from the front."""

    def __init__(self, head=b""):
        self.head = bytes(head)
        self.ops = []  # ("int", value, range) | ("bytes", data) | ("chunk", data, max_chunk)

    def integral(self, value, lo, hi):
        assert lo <= value <= hi
        self.ops.append(("int", value - lo, hi - lo))
        return self

    def bytes(self, data):
        self.ops.append(("bytes", bytes(data)))
        return self

    def chunks(self, parts, max_chunk):
        """siocodec_fuzz::chunks(in, max_chunk): must be the last decisions of the input."""
        for p in parts:
            assert len(p) <= max_chunk
            self.ops.append(("chunk", bytes(p), max_chunk))
        return self

    def build(self):
        # Tail bytes per op, computed backwards: a chunk's range depends on what remains.
        tails = [b""] * len(self.ops)
        front_after = 0  # front bytes of later ops
        tail_after = 0   # tail bytes of later ops
        for i in range(len(self.ops) - 1, -1, -1):
            op = self.ops[i]
            if op[0] == "bytes":
                front_after += len(op[1])
                continue
            if op[0] == "int":
                value, rng = op[1], op[2]
                n = range_bytes(rng)
            else:
                data, max_chunk = op[1], op[2]
                value = len(data)
                n = 1
                while True:
                    remaining = front_after + len(data) + tail_after + n
                    need = range_bytes(min(remaining, max_chunk))
                    if need <= n:
                        break
                    n = need
                rng = min(front_after + len(data) + tail_after + n, max_chunk)
                assert value <= rng
                front_after += len(data)
            # The first byte consumed (the last in the file) is the most significant.
            tails[i] = value.to_bytes(n, "big")[::-1] if n else b""
            assert n or value == 0
            tail_after += n
        front = b"".join(op[1] for op in self.ops if op[0] in ("bytes", "chunk"))
        tail = b"".join(tails[i] for i in range(len(self.ops) - 1, -1, -1))
        return self.head + front + tail


def cut(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)] or [b""]


# --- sources --------------------------------------------------------------------------------------

def read_vectors():
    out = []
    for name in sorted(os.listdir(VECTORS)):
        if name.endswith(".jsonl"):
            with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
                out.extend(json.loads(line) for line in f if line.strip())
    return out


def frame_bytes(frame):
    if "text" in frame:
        return frame["text"].encode("utf-8", "surrogatepass"), False
    return bytes.fromhex(frame["binary"]), True


def read_workloads():
    frames = {}
    if not os.path.isdir(WORKLOADS):
        return frames
    for name in sorted(os.listdir(WORKLOADS)):
        if not name.endswith(".bin"):
            continue
        with open(os.path.join(WORKLOADS, name), "rb") as f:
            data = f.read()
        (count,) = struct.unpack_from("<I", data, 0)
        pos, items = 4, []
        for _ in range(count):
            kind, length = struct.unpack_from("<BI", data, pos)
            pos += 5
            items.append((kind == 1, data[pos:pos + length]))
            pos += length
        frames[name[:-4]] = items
    return frames


def read_json_cases():
    texts = []
    for name, column in (("json_cases.txt", 0), ("json_value_cases.txt", 1)):
        path = os.path.join(JSON_CASES, name)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                if len(cols) > column:
                    try:
                        texts.append(bytes.fromhex(cols[column]))
                    except ValueError:
                        pass
    return texts


# Protocol examples (protocol.md §2.2, §2.5, §2.6) and the shapes the decoders single out.
SIO_PACKETS = [
    b'0', b'0{"token":"123"}', b'0/admin,{"token":"123"}', b'0/admin,', b'0/nsp?a=b,',
    b'1', b'1/admin,', b'2["hello"]', b'2["hello",1,{"a":[true,null]}]', b'2/admin,["a"]',
    b'2/admin,456["project:delete",123]', b'213["x"]', b'2[1]', b'2["error"]', b'2["connect"]',
    b'3/admin,456[]', b'313["ok"]', b'4{"message":"Not authorized"}', b'4"nope"', b'4null',
    b'0[]', b'0null',
    b'51-["hello",{"_placeholder":true,"num":0}]',
    b'52-["a",{"_placeholder":true,"num":1},{"x":{"_placeholder":true,"num":0}}]',
    b'61-/admin,456[{"_placeholder":true,"num":0}]',
    b'51-["a",{"num":0,"_placeholder":true}]',
    b'51-["a",{"_placeholder":true,"num":"splice"}]',
    b'50-["a"]', b'5-["a"]', b'599999999999999999999-["a"]', b'2/a,01["x"]',
    b'2 1["x"]', b'51.0-["a",{"_placeholder":true,"num":1.0}]', b'2/admin', b'2/,["x"]',
    b'2["a"] ', b'2[[[[[[["deep"]]]]]]]', b'2["\\ud83d\\ude00","\\u00e9"]',
]

HANDSHAKES = [
    b'{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,'
    b'"pingTimeout":20000,"maxPayload":1000000}',
    b'{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":5000}',
    b'{"sid":"abc","upgrades":["polling","websocket","webtransport","x"],"pingInterval":1,'
    b'"pingTimeout":2147483647,"maxPayload":9007199254740991}',
    b'{"pingTimeout":20000,"pingInterval":25000,"upgrades":["websocket"],"sid":"x","sid":"y"}',
    b'{"sid":"a\\u0062","upgrades":[],"pingInterval":1,"pingTimeout":1}',
    b'{"sid":"abc","upgrades":[],"pingInterval":1.5,"pingTimeout":1}',
    b' { "sid" : "abc" , "upgrades" : [ ] , "pingInterval" : 0 , "pingTimeout" : 1 } ',
]


# --- per-target seeds -----------------------------------------------------------------------------

class Corpus:
    def __init__(self):
        self.seeds = {}

    def add(self, target, data):
        if len(data) <= MAX_SEED:
            self.seeds.setdefault(target, set()).add(bytes(data))


def eio_sel(binary, v3, lax=False):
    return (1 if binary else 0) | (2 if v3 else 0) | (4 if lax else 0)


def add_frame(c, data, binary, v3, lax=False):
    c.add("eio_decode", bytes([eio_sel(binary, v3, lax)]) + data)
    c.add("eio_roundtrip", bytes([(2 if binary else 0) | (4 if v3 else 0) | (8 if lax else 0)]) + data)


def add_body(c, data, binary, v3, lax=False):
    sel = eio_sel(binary, v3, lax)
    c.add("eio_payload", bytes([sel]) + data)
    c.add("eio_roundtrip", bytes([1 | (2 if binary else 0) | (4 if v3 else 0) | (8 if lax else 0)]) + data)
    for size, finish in ((64, False), (7, True)):
        c.add("eio_payload_chunked",
              Input([sel | (32 if finish else 0)]).chunks(cut(data, size), 64).build())


def add_stream(c, stream, chunks, max_payload, lax=False):
    limits = {1000000: 0, 64: 1, 126: 2, 65536: 3}
    sel = limits.get(max_payload, 0) | (4 if lax else 0)
    parts, pos = [], 0
    for n in chunks:
        while n > 300:
            parts.append(stream[pos:pos + 300])
            pos, n = pos + 300, n - 300
        parts.append(stream[pos:pos + n])
        pos += n
    if pos < len(stream):
        parts.extend(cut(stream[pos:], 300))
    c.add("wt_stream", Input([sel]).chunks(parts, 300).build())
    c.add("wt_stream", Input([sel | 8]).chunks(cut(stream, 5), 300).build())


def add_sio(c, text, attachments=(), v4=False, frames=None):
    version = 2 if v4 else 0
    for sel in (0, 1, 4):
        c.add("sio_decode", bytes([sel | version]) + text)
        c.add("sio_roundtrip", bytes([sel | version]) + text)
    c.add("sio_decode", bytes([3 ^ version]) + text)
    # sio_decoder: the header as a text frame, then the attachments as binary frames (or the
    # messages of a vector, in order: op 2 text, 1 binary).
    if frames is None:
        frames = [(2, text)] + [(1, a) for a in attachments]
    if all(len(data) <= 96 for _, data in frames):
        seq = Input([version])
        for op, data in frames:
            seq.integral(op, 0, 255).integral(len(data), 0, 96).bytes(data)
        c.add("sio_decoder", seq.build())
    if len(text) <= 512:
        for sel in ((1, 3, 5, 7, 9, 11) if v4 else (0, 2, 4, 6, 8, 10)):
            inp = Input([sel]).integral(len(text), 0, 512).bytes(text)
            for a in attachments:
                inp.integral(min(len(a), 64), 0, 64).bytes(a[:64])
            c.add("sio_frames", inp.build())


def add_json(c, text):
    c.add("json_validate", b"\x00" + text)
    c.add("json_unchecked", text)


def generate():
    c = Corpus()
    vectors = read_vectors()
    for v in vectors:
        op = v["op"]
        lax = "lax" in json.dumps(v.get("ours", {}))
        if op == "eio.decode_packet":
            data, binary = frame_bytes(v["frame"])
            add_frame(c, data, binary, v["version"] == 3, lax)
            if not binary and data[:1] == b"0" and data[1:2] == b"{":
                c.add("handshake", data[1:])
        elif op == "eio.encode_packet":
            if "text" in v["ref"] or "binary" in v["ref"]:
                data, binary = frame_bytes(v["ref"])
                add_frame(c, data, binary, v["version"] == 3)
        elif op == "eio.decode_payload":
            data, binary = frame_bytes(v["body"])
            add_body(c, data, binary, v["version"] == 3, lax)
        elif op == "eio.encode_payload":
            if "text" in v["ref"] or "binary" in v["ref"]:
                data, binary = frame_bytes(v["ref"])
                add_body(c, data, binary, v["version"] == 3)
        elif op == "wt.decode":
            add_stream(c, bytes.fromhex(v["stream"]), v["chunks"], v["max_payload"], lax)
        elif op == "wt.encode":
            if "binary" in v["ref"]:
                add_stream(c, bytes.fromhex(v["ref"]["binary"]), [], 1000000)
        elif op == "base64.decode":
            text = v["text"].encode("utf-8", "surrogatepass")
            c.add("base64", b"\x00" + text)
            c.add("base64", b"\x01" + text)
            c.add("base64_diff", text)
        elif op == "base64.encode":
            text = v["ref"]["text"].encode()
            c.add("base64", b"\x00" + text)
            c.add("base64_diff", text)
        elif op in ("sio.decode", "sio.encode"):
            messages = v.get("messages") if op == "sio.decode" else v["ref"].get("frames")
            if not messages:
                continue
            v4 = v.get("version") == 4
            frames = [frame_bytes(m) for m in messages if "text" in m or "binary" in m]
            texts = [d for d, binary in frames if not binary]
            add_sio(c, texts[0] if texts else b"", [d for d, binary in frames if binary], v4,
                    [(1 if binary else 2, d) for d, binary in frames])
        elif op in ("sio_msgpack.decode", "sio_msgpack.encode"):
            v4 = 1 if v.get("version") == 4 else 0
            messages = [v["message"]] if op == "sio_msgpack.decode" else v["ref"].get("frames", [])
            for m in messages:
                if "text" not in m and "binary" not in m:
                    continue
                data, binary = frame_bytes(m)
                for extra in (0, 2, 4):
                    c.add("sio_msgpack", bytes([v4 | extra | (0 if binary else 8)]) + data)
        elif op in ("msgpack.decode", "msgpack.encode"):
            hexdata = v.get("binary") if op == "msgpack.decode" else v["ref"].get("binary")
            if hexdata is not None:
                data = bytes.fromhex(hexdata)
                for sel in (0, 2, 4, 8):
                    c.add("msgpack_value", bytes([sel]) + data)

    for name, frames in read_workloads().items():
        text_frames = [d for b, d in frames if not b]
        binaries = [d[:64] for b, d in frames if b]
        if name.startswith("w6"):
            add_body(c, frames[0][1][:3000], False, False)
            continue
        if name.startswith("w7"):
            # The first base64 packet, cut to a whole number of base64 groups.
            first = frames[0][1].split(b"\x1e")[0][:1 + 4 * 100]
            add_body(c, first + b"\x1e" + first, False, False)
            add_frame(c, first, False, False)
            c.add("base64", b"\x00" + first[1:])
            c.add("base64_diff", first[1:])
            continue
        for t in text_frames:
            if len(t) > 3000:
                continue
            add_frame(c, t, False, False)
            if t[:1] == b"4":
                add_sio(c, t[1:], binaries)
                start = min((i for i in (t.find(b"["), t.find(b"{")) if i >= 0), default=-1)
                if start >= 0:
                    add_json(c, t[start:])

    for p in SIO_PACKETS:
        n = 0
        if p[:1] in (b"5", b"6") and b"-" in p:
            try:
                n = int(p[1:p.index(b"-")])
            except ValueError:
                n = 0
        add_sio(c, p, [bytes([i, 1, 2, 3]) for i in range(min(n, 3))])
        if b"[" in p or b"{" in p:
            add_json(c, p[min(i for i in (p.find(b"["), p.find(b"{")) if i >= 0):])
    for h in HANDSHAKES:
        c.add("handshake", h)
        add_json(c, h)
        add_frame(c, b"0" + h, False, False)

    rnd = random.Random(20260101)
    json_texts = read_json_cases()
    for t in rnd.sample(json_texts, min(len(json_texts), 250)) if json_texts else []:
        add_json(c, t)
        c.add("json_validate", bytes([rnd.randrange(4)]) + t)

    # encode_size: a value for each encoder, fields as encode_size.cpp reads them.
    for sel in range(8):
        for k in range(6):
            inp = Input([sel])
            if sel in (0, 1, 2):
                if sel != 2:
                    inp.integral(k & 1, 0, 1).integral((k >> 1) & 1, 0, 1)
                count = 1 if sel != 1 else k % 4
                for j in range(count):
                    data = [b"hello", b"", b"\x1e", b"AQIDBA==", b"\xff\x00", "é".encode()][(k + j) % 6]
                    inp.integral((k + j) % 7, 0, 7).integral((k + j) % 3, 0, 2)
                    inp.integral(len(data), 0, 64).bytes(data)
                if sel == 1:
                    inp.ops.insert(2, ("int", count, 6))
            elif sel == 3:
                sid = [b"lv_VI97HAXpY6yYWAAAC", b"", b"a\"b", b"x"][k % 4]
                inp.integral(len(sid), 0, 32).bytes(sid).integral(k % 8, 0, 7)
                inp.integral(25000 * (k % 3), 0, 0xFFFFFFFF).integral(20000, 0, 0xFFFFFFFF)
                inp.integral(k & 1, 0, 255)
                if k & 1:
                    inp.integral(1000000 * k, 0, 2**64 - 1)
            elif sel in (4, 5):
                pkt = SIO_PACKETS[(k * 7) % len(SIO_PACKETS)]
                if sel == 5:
                    for bit in (k & 1, (k >> 1) & 1, 1, 0):
                        inp.integral(bit, 0, 1)
                else:
                    inp.integral(k & 1, 0, 1)
                inp.integral(10, 0, 12)
                nsp = [b"/", b"", b"/admin", b"/a,b", b"admin", b"/\x1e"][k]
                inp.integral(k % 7, 0, 7).integral(len(nsp), 0, 16).bytes(nsp)
                inp.integral(k & 1, 0, 255)
                if k & 1:
                    inp.integral(k * 1000, 0, 2**64 - 1)
                atts = 1 if (k % 7) in (5, 6) else 0
                inp.integral(atts, 0, 12)
                data = pkt.lstrip(b"0123456789-/admin,")[:128]
                inp.integral(len(data), 0, 128).bytes(data)
                if sel == 5:
                    inp.integral(1, 0, 255)
                    for _ in range(atts):
                        inp.integral(3, 0, 32).bytes(b"\x01\x02\x03")
            elif sel == 6:
                inp.bytes(["héllo\n\"\\\x01".encode(), b"\xff", "😀".encode(), b"", b"\x7f",
                           "\u2028".encode()][k])
            else:
                d = [0.1, -0.0, 1e21, 5e-324, 1.7976931348623157e308, 123456789012345680000.0][k]
                inp.integral(struct.unpack("<Q", struct.pack("<d", d))[0], 0, 2**64 - 1)
            c.add("encode_size", inp.build())
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=CORPUS,
                    help="output directory (default fuzz/corpus-work)")
    args = ap.parse_args()
    c = generate()
    written = 0
    for target in sorted(c.seeds):
        seeds = sorted(c.seeds[target])
        if len(seeds) > MAX_PER_TARGET:
            seeds = random.Random(target).sample(seeds, MAX_PER_TARGET)
        directory = os.path.join(args.corpus, target)
        os.makedirs(directory, exist_ok=True)
        for s in seeds:
            path = os.path.join(directory, hashlib.sha256(s).hexdigest())
            if os.path.exists(path):
                continue
            with open(path, "wb") as f:
                f.write(s)
            written += 1
        print(f"{target:22s} {len(seeds):4d} seeds")
    print(f"{written} new files in {os.path.relpath(args.corpus, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
