#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Writes the nine benchmark workloads (w1..w9) and checks them against bench/workloads.sha256.

    tools/make_workloads.py [--out DIR] [--no-check] [--print-hashes]

Every workload is the exact wire bytes of one Socket.IO packet as an Engine.IO v4 transport
carries it: WebSocket messages (w1-w5, w8, w9) or one HTTP long-polling body (w6, w7). File format
of NAME.bin, read by bench/workloads.hpp and bench/reference/bench.js:

    u32 LE frame count, then per frame: u8 kind (0 text, 1 binary), u32 LE length, the bytes

The content is deterministic (one seeded PRNG drawn in a fixed order), so the same files come out
on every machine; the SHA-256 of each file is pinned in bench/workloads.sha256 and checked after
writing (exit status 1 on a mismatch). The same files are published in ../shared/workloads.
"""
import argparse
import base64
import hashlib
import json
import os
import random
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HASH_FILE = os.path.join(ROOT, "bench", "workloads.sha256")
SEED = 8418
TEXT, BINARY = 0, 1

# Words of the free-text fields: JSON escapes (quote, backslash, tab) and 2-, 3- and 4-byte UTF-8.
VOCABULARY = ("alpha", "beta", "gamma", "delta", "h\u00e9llo", "\u4e16\u754c", "emoji\U0001F600",
              'quote"d', "back\\slash", "tab\t", "x")


def to_json(value):
    """JSON text as JavaScript's JSON.stringify writes it: compact, non-ASCII left as UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Content:
    """The random parts of the workloads. The draw order is part of the format: changing it
    changes every byte after it (and the pinned hashes)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def sentence(self, count):
        return " ".join(self.rng.choice(VOCABULARY) for _ in range(count))

    def coordinate(self):
        return round(self.rng.uniform(-1000, 1000), 3)

    def player(self, index):
        # Field order is draw order: x, y, hp, alive, items.
        entry = {"id": index, "name": "player%d" % index}
        entry["x"] = self.coordinate()
        entry["y"] = self.coordinate()
        entry["hp"] = self.rng.randint(0, 100)
        entry["alive"] = self.rng.random() > 0.1
        entry["items"] = [self.rng.randint(1, 500) for _ in range(3)]
        entry["tag"] = "vip" if index % 7 == 0 else None
        return entry

    def players(self, count):
        return [self.player(i) for i in range(count)]

    def blob(self, size):
        return bytes(self.rng.getrandbits(8) for _ in range(size))


def placeholder(num):
    return {"_placeholder": True, "num": num}


def sio_text(packet_type, data, nsp=None, ack_id=None, attachments=0):
    """A Socket.IO v5 packet in its text form, preceded by the Engine.IO v4 message type '4'."""
    header = "4%d" % packet_type
    if attachments:
        header += "%d-" % attachments
    if nsp is not None:
        header += nsp + ","
    if ack_id is not None:
        header += str(ack_id)
    return header + to_json(data)


def build():
    """Returns [(name, [(kind, bytes), ...]), ...] in workload order."""
    content = Content(SEED)
    state = {"tick": 123456, "players": content.players(8)}
    state["msg"] = content.sentence(6)
    snapshot = {"tick": 1, "players": content.players(9000)}
    snapshot["log"] = [content.sentence(12) for _ in range(600)]
    blob = content.blob(65536)

    def text(s):
        return (TEXT, s.encode("utf-8"))

    chat = [sio_text(2, ["chat message", "hello world %d" % i]) for i in range(64)]
    message = {"user": "alice", "text": "hi there", "ts": 1700000000, "tags": ["a", "b"]}
    upload = {"name": "f.bin", "size": len(blob), "data": placeholder(0)}
    return [
        ("w1_small_event", [text(sio_text(2, ["chat message", "hello world"]))]),
        ("w2_nsp_ack_object", [text(sio_text(2, ["message", message], nsp="/chat", ack_id=17))]),
        ("w3_event_1k", [text(sio_text(2, ["state", state]))]),
        ("w4_event_1m", [text(sio_text(2, ["snapshot", snapshot]))]),
        ("w5_binary_event_64k",
         [text(sio_text(5, ["upload", upload], attachments=1)), (BINARY, blob)]),
        ("w6_polling_payload_64", [text("\x1e".join(chat))]),
        ("w7_polling_base64_64k", [text("b" + base64.b64encode(blob).decode("ascii"))]),
        ("w8_ack", [text(sio_text(3, [{"ok": True, "id": 42}], nsp="/chat", ack_id=17))]),
        ("w9_binary_two_attachments",
         [text(sio_text(5, ["frames", placeholder(0), placeholder(1)], attachments=2)),
          (BINARY, blob[:1024]), (BINARY, blob[1024:5120])]),
    ]


def serialize(frames):
    parts = [struct.pack("<I", len(frames))]
    for kind, data in frames:
        parts.append(struct.pack("<BI", kind, len(data)))
        parts.append(data)
    return b"".join(parts)


def read_pinned():
    pinned = {}
    with open(HASH_FILE, encoding="ascii") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            digest, name = line.split()
            pinned[name.lstrip("*")] = digest
    return pinned


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=".", help="directory to write NAME.bin into (default: .)")
    ap.add_argument("--no-check", action="store_true",
                    help="do not compare with bench/workloads.sha256")
    ap.add_argument("--print-hashes", action="store_true",
                    help="print the hashes in sha256sum format (to refresh the pinned file)")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    pinned = {} if args.no_check else read_pinned()
    bad = []
    written = set()
    for name, frames in build():
        blob = serialize(frames)
        file_name = name + ".bin"
        written.add(file_name)
        path = os.path.join(args.out, file_name)
        # Rewrite only when the bytes differ, so build systems see an unchanged timestamp.
        old = None
        if os.path.exists(path):
            with open(path, "rb") as f:
                old = f.read()
        if old != blob:
            with open(path, "wb") as f:
                f.write(blob)
        digest = hashlib.sha256(blob).hexdigest()
        if args.print_hashes:
            print("%s  %s" % (digest, file_name))
        if not args.no_check and pinned.get(file_name) != digest:
            bad.append("%s: sha256 %s, pinned %s" % (file_name, digest, pinned.get(file_name)))
    if not args.no_check:
        missing = set(pinned) - written
        bad.extend("%s: pinned but not generated" % m for m in sorted(missing))
    if bad:
        print("make_workloads: output differs from bench/workloads.sha256:", file=sys.stderr)
        for b in bad:
            print("  " + b, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
