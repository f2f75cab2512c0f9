#!/usr/bin/env python3
"""Builds the fuzz targets' seed corpora under fuzz/corpus/<target>/.

Sources, in this order:

1. The spec's worked examples (spec/openslots.md): the links of §4.1, the
   payloads of §8.4, the grids of §9.4, the masks of §10.4, the events of
   §11.6 and the expiration table of §12.1. Links, payloads, masks and events
   are read from the spec's text; the §9.4 and §12.1 tables are transcribed
   below, since they are prose tables.
2. The official NIP-44 vectors (../shared/data/nip44.vectors.json), for the
   cipher targets.
3. The kit's vectors (vectors/*.json) when they exist: every file is walked
   as untyped JSON and every value that looks like a target's input (a link,
   a payload, a mask, an event, a NIP-44 payload with its key, a grid
   request, a tag list) becomes a seed. A missing file or directory is
   reported and skipped. The walk is deliberately schema-agnostic: seeds
   only need to be plausible inputs, and a schema change must not break the
   fuzz build.

Each seed is written in its target's input format (see the doc comment of
each fuzz_targets/*.rs) to a file named by the SHA-1 of its content, as
libFuzzer names corpus files, so running the script again adds nothing new.
Seeds that a campaign found and that are worth keeping live in
fuzz/regressions/<target>/ (committed) rather than here.

Usage: python3 fuzz/seed_corpora.py [--out DIR]
"""

import argparse
import base64
import hashlib
import hmac
import json
import re
import struct
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
SPEC = ROOT / "spec" / "openslots.md"
VECTORS = ROOT / "vectors"
NIP44 = ROOT.parent / "shared" / "data" / "nip44.vectors.json"

TARGETS = [
    "link_parse",
    "cipher_decrypt",
    "cipher_roundtrip",
    "payload_parse",
    "mask_decode",
    "mask_aggregate",
    "event_parse",
    "lww_resolve",
    "grid_generate",
    "expiry_parse",
    "adapter_messages",
    "relay_frames",
    "wrap_parse",
]

# The kit's vector suites (spec §20, vectors/README.md).
VECTOR_SUITES = [
    "link",
    "derivation",
    "blinding",
    "encryption",
    "payloads",
    "grid",
    "masks",
    "events",
    "expiry",
    "lww",
    "resolution",
]


class Seeds:
    def __init__(self):
        self.by_target = {t: {} for t in TARGETS}
        self.origin_counts = {}

    def add(self, target, data, origin):
        if isinstance(data, str):
            data = data.encode()
        name = hashlib.sha1(data).hexdigest()
        if name not in self.by_target[target]:
            self.by_target[target][name] = data
            key = (origin, target)
            self.origin_counts[key] = self.origin_counts.get(key, 0) + 1

    def write(self, out):
        for target, seeds in self.by_target.items():
            d = out / target
            d.mkdir(parents=True, exist_ok=True)
            for name, data in seeds.items():
                (d / name).write_bytes(data)


# ---------------------------------------------------------------------------
# Key derivation (spec §5): HKDF-SHA256, RFC 5869.
# ---------------------------------------------------------------------------


def hkdf(salt, ikm, info, length=32):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, block, i = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        okm += block
        i += 1
    return okm[:length]


def k_enc(room_key, profile):
    info = b"openslots:encryption" if profile == 1 else b"openslots:v2:encryption"
    return hkdf(b"openslots-hkdf-salt", room_key, info)


def padded(plaintext):
    """u16_be(len) || plaintext || zeros, NIP-44's padding."""
    n = len(plaintext)
    if n <= 32:
        size = 32
    else:
        next_power = 1 << ((n - 1).bit_length())
        chunk = 32 if next_power <= 256 else next_power // 8
        size = chunk * ((n - 1) // chunk + 1)
    return struct.pack(">H", n) + plaintext + bytes(size - n)


# ---------------------------------------------------------------------------
# Target input formats
# ---------------------------------------------------------------------------


def mask_v1_seed(s):
    return b"\x00" + s.encode()


def mask_v2_seed(n, b):
    return b"\x01" + struct.pack("<Q", n & 0xFFFFFFFFFFFFFFFF) + b.encode()


def v2_mask_b(n, positions):
    out = bytearray((n + 7) // 8)
    for i in positions:
        out[i // 8] |= 0x80 >> (i % 8)
    return base64.b64encode(bytes(out)).decode()


def roundtrip_seed(key, nonce, plaintext, bit=0):
    return key + nonce + struct.pack("<I", bit) + plaintext


def grid_seed(zone, start, end, dates):
    return "\n".join([zone, start, end] + list(dates))


def expiry_seed(now, tags):
    return "\n".join([str(now)] + ["\t".join(t) for t in tags])


# ---------------------------------------------------------------------------
# 1. The spec's worked examples
# ---------------------------------------------------------------------------


def section(text, heading):
    start = text.index(heading)
    rest = text[start + len(heading):]
    ends = [i for i in (rest.find("\n### "), rest.find("\n## ")) if i >= 0]
    return rest[: min(ends)] if ends else rest


def indented(block):
    return [line.strip() for line in block.splitlines() if line.startswith("    ") and line.strip()]


def spec_seeds(seeds):
    if not SPEC.exists():
        print(f"seed_corpora: {SPEC} is missing; no spec seeds", file=sys.stderr)
        return
    text = SPEC.read_text(encoding="utf-8")
    origin = "spec"

    # §4.1 links, and one variant per parsing step of §4.3.
    links = [l for l in indented(section(text, "### 4.1")) if "/room/" in l and "<" not in l]
    assert len(links) == 2, links
    for link in links:
        seeds.add("link_parse", link, origin)
    v1, v2 = links
    base, key = v1.split("#")
    variants = [
        v1.replace("https://", "http://"),
        v1.replace("openslots.example/", "example.org/apps/openslots/"),
        v1.replace("openslots.example", "localhost:8080"),
        base,
        v1 + "#",
        base + "?q=1#" + key,
        base.upper() + "#" + key,
        base + "#" + key.upper(),
        base + "#" + key[:62],
        base + "#v3." + key + "." + key,
        base + "#v02." + key + "." + key,
        base + "#v2." + key,
        base + "#v2." + key + "." + "0" * 63 + "5",
        v2.replace("#v2.", "#V2."),
        "ftp://openslots.example/room/" + v1.split("/room/")[1],
    ]
    for link in variants:
        seeds.add("link_parse", link, origin)

    # §8.4 payloads, and the escape example.
    payloads = [l for l in indented(section(text, "### 8.4")) if l.startswith("{")]
    assert len(payloads) == 4, payloads
    for p in payloads:
        seeds.add("payload_parse", p, origin)
    escaped = json.dumps({"t": 'Lunch "A"/B\n\u00e9', "s": 1748851200, "o": "11"},
                         separators=(",", ":"), ensure_ascii=False)
    seeds.add("payload_parse", escaped, origin)
    v1_room, v1_resp, v2_room, v2_resp = payloads
    # The size limits of OS-PAYLOAD-9 on the §8.4 v2 examples: a title of
    # 512 and 513 bytes, a name of 128 and 129 (two-byte characters too).
    for size in (512, 513):
        for title in ("x" * size, "\u00e9" * (size // 2) + "x" * (size % 2)):
            seeds.add("payload_parse", v2_room.replace('"Team sync"', json.dumps(title, ensure_ascii=False)), origin)
    for size in (128, 129):
        seeds.add("payload_parse", v2_resp.replace('"Alice"', json.dumps("n" * size)), origin)

    # §10.4 masks.
    masks = section(text, "### 10.4")
    for line in indented(masks):
        if re.fullmatch(r"[01]+", line):
            seeds.add("mask_decode", mask_v1_seed(line), origin)
        for n, b in re.findall(r'\{"n":(\d+),"b":"([^"]*)"\}', line):
            seeds.add("mask_decode", mask_v2_seed(int(n), b), origin)
    # The room update (n = 49, positions 0, 47, 48) and the Kathmandu v1 mask
    # (positions 0, 1, 47, 48), which the section describes in prose.
    seeds.add("mask_decode", mask_v2_seed(49, v2_mask_b(49, [0, 47, 48])), origin)
    kathmandu = "".join("1" if i in (0, 1, 47, 48) else "0" for i in range(49))
    seeds.add("mask_decode", mask_v1_seed(kathmandu), origin)
    seeds.add("mask_decode", mask_v2_seed(0, ""), origin)
    seeds.add("mask_decode", mask_v2_seed(35_137, "AA=="), origin)

    # §11.6 events.
    block = section(text, "### 11.6")
    events = re.findall(r"```json\n(.*?)```", block, flags=re.S)
    assert len(events) == 4, len(events)
    room_key = bytes(range(32))
    plaintexts = [v1_room, v1_resp, v2_room, v2_resp]
    for i, ev_text in enumerate(events):
        ev = json.loads(ev_text)
        compact = json.dumps(ev, separators=(",", ":"))
        profile = 1 if i < 2 else 2
        key = k_enc(room_key, profile)
        for flags in (0, 1, 4, 8, 12):
            seeds.add("event_parse", bytes([flags]) + compact.encode(), origin)
        seeds.add("event_parse", b"\x00" + ev_text.encode(), origin)
        # Content replaced by a plaintext: flags 3 encrypt it and sign again.
        for p in plaintexts:
            ev2 = dict(ev, content=p)
            seeds.add("event_parse", b"\x03" + json.dumps(ev2, separators=(",", ":")).encode(), origin)
        # The content under its key, and sealed-mode seeds.
        seeds.add("cipher_decrypt", key + ev["content"].encode(), origin)
        seeds.add("cipher_decrypt", key + padded(plaintexts[i].encode()), origin)
        nonce = bytes([i + 1]) * 32
        seeds.add("cipher_roundtrip", roundtrip_seed(key, nonce, plaintexts[i].encode()), origin)
        seeds.add("lww_resolve", bytes([profile, 0, 0, 1, 2, 3]), origin)

    # §9.4 grids (transcribed).
    london = "Europe/London"
    lord_howe = "Australia/Lord_Howe"
    grids = [
        (london, "09:00", "10:00", ["2025-06-02", "2025-06-03"]),
        (london, "01:00", "02:00", ["2025-03-30"]),
        (london, "01:30", "03:00", ["2025-03-30"]),
        (london, "00:00", "00:00", ["2025-03-30"]),
        (london, "01:00", "02:00", ["2025-10-26"]),
        (london, "00:00", "00:00", ["2025-10-26"]),
        (london, "09:00", "09:45", ["2025-06-02"]),
        (london, "22:00", "02:00", ["2025-06-02"]),
        (london, "09:00", "09:00", ["2025-06-02"]),
        (lord_howe, "00:00", "00:00", ["2025-10-05"]),
        (lord_howe, "01:00", "03:30", ["2025-10-05"]),
        (lord_howe, "00:00", "00:00", ["2025-04-06"]),
        (lord_howe, "01:00", "02:30", ["2025-04-06"]),
        ("Asia/Kathmandu", "09:00", "10:00", ["1985-12-31", "1986-01-01"]),
        ("Asia/Kathmandu", "00:00", "01:00", ["1986-01-01"]),
        ("+05:30", "09:00", "10:00", ["2025-06-02"]),
        (london, "09:00:10", "10:00", ["2025-06-02"]),
        # The edges of the supported range, and the error steps of §9.3.
        ("-23:59", "23:59", "00:00", ["9999-12-31"]),
        ("+23:59", "00:00", "00:00", ["0000-01-01"]),
        ("UTC", "00:00", "23:59:59", ["2024-02-29"]),
        ("+0530", "09:00", "10:00", ["2025-06-02"]),
        ("europe/london", "24:00", "10:00", ["2025-06-02"]),
        (london, "09:00", "10:00", ["2025-02-29"]),
        (london, "09:00", "10:00", []),
    ]
    for zone, start, end, dates in grids:
        seeds.add("grid_generate", grid_seed(zone, start, end, dates), origin)

    # §12.1 expiration examples (transcribed), now = 1749546000.
    now = 1749546000
    cases = [
        [],
        [["expiration", "1749546000"]],
        [["expiration", "1749545999"]],
        [["expiration", "0001749545999"]],
        [["expiration", "+1749545999"]],
        [["expiration", " 1749545999"]],
        [["expiration", "1.5"]],
        [["expiration", "1e9"]],
        [["expiration", "0x10"]],
        [["expiration", ""]],
        [["expiration", "18446744073709551616"]],
        [["expiration"]],
        [["expiration", "1"], ["expiration", "9999999999"]],
        [["d", "x"], ["t", "openslots"], ["expiration", "18446744073709551615"]],
    ]
    for tags in cases:
        seeds.add("expiry_parse", expiry_seed(now, tags), origin)


# ---------------------------------------------------------------------------
# 2. The official NIP-44 vectors
# ---------------------------------------------------------------------------


def nip44_seeds(seeds):
    if not NIP44.exists():
        print(f"seed_corpora: {NIP44} is missing; no NIP-44 seeds", file=sys.stderr)
        return
    v2 = json.loads(NIP44.read_text())["v2"]
    origin = "nip44"
    for case in v2["valid"]["encrypt_decrypt"]:
        key = bytes.fromhex(case["conversation_key"])
        nonce = bytes.fromhex(case["nonce"])
        plaintext = case["plaintext"].encode()
        seeds.add("cipher_decrypt", key + case["payload"].encode(), origin)
        seeds.add("cipher_decrypt", key + padded(plaintext), origin)
        seeds.add("cipher_roundtrip", roundtrip_seed(key, nonce, plaintext), origin)
    for case in v2["invalid"]["decrypt"]:
        key = bytes.fromhex(case["conversation_key"])
        seeds.add("cipher_decrypt", key + case["payload"].encode(), origin)


# ---------------------------------------------------------------------------
# 3. The kit's vectors, walked as untyped JSON
# ---------------------------------------------------------------------------

HEX64 = re.compile(r"[0-9a-f]{64}")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIME = re.compile(r"\d{2}:\d{2}(:\d{2})?")
EVENT_KEYS = {"id", "pubkey", "created_at", "kind", "tags", "content", "sig"}


def nodes(x):
    yield x
    if isinstance(x, dict):
        for v in x.values():
            yield from nodes(v)
    elif isinstance(x, list):
        for v in x:
            yield from nodes(v)


def strings_of(d):
    return [v for v in d.values() if isinstance(v, str)]


def is_tag_list(x):
    return (isinstance(x, list) and x and all(isinstance(t, list) and all(isinstance(s, str) for s in t) for t in x))


def vector_seeds(seeds):
    if not VECTORS.is_dir():
        print(f"seed_corpora: {VECTORS} is missing; no vector seeds", file=sys.stderr)
        return
    for suite in VECTOR_SUITES:
        path = VECTORS / f"{suite}.json"
        if not path.exists():
            print(f"seed_corpora: vectors/{suite}.json not found, skipped", file=sys.stderr)
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            print(f"seed_corpora: vectors/{suite}.json unreadable ({e}), skipped", file=sys.stderr)
            continue
        origin = f"vectors/{suite}.json"
        groups = doc.get("testGroups") if isinstance(doc, dict) else None
        tests = [
            (g.get("operation"), t)
            for g in groups or []
            if isinstance(g, dict)
            for t in g.get("tests", [])
            if isinstance(t, dict)
        ]
        for operation, test in tests:
            inputs = test.get("input")
            if isinstance(inputs, dict) and operation_seed(seeds, operation, inputs, origin):
                continue
            # An operation whose outputs are parser inputs, or one this
            # script does not know: walk the whole test case.
            generic_seeds(seeds, test, origin)
        if not tests:
            generic_seeds(seeds, doc, origin)
    for suite in sorted(p.stem for p in VECTORS.glob("*.json")):
        if suite not in VECTOR_SUITES:
            print(f"seed_corpora: vectors/{suite}.json is not a suite this script knows; walked generically", file=sys.stderr)
            generic_seeds(seeds, json.loads((VECTORS / f"{suite}.json").read_text(encoding="utf-8")), f"vectors/{suite}.json")


def generic_seeds(seeds, doc, origin):
    for node in nodes(doc):
        if isinstance(node, str):
            string_seed(seeds, node, origin)
        elif isinstance(node, dict):
            object_seed(seeds, node, origin)


def text(x):
    return x if isinstance(x, str) else None


def operation_seed(seeds, operation, inp, origin):
    """Seeds from one test case of a known operation; False if unknown."""
    if operation == "parse_link" and text(inp.get("link")) is not None:
        seeds.add("link_parse", inp["link"], origin)
    elif operation == "decrypt" and text(inp.get("conversationKey")) and text(inp.get("payload")) is not None:
        key = bytes.fromhex(inp["conversationKey"])
        seeds.add("cipher_decrypt", key + inp["payload"].encode(), origin)
    elif operation == "encrypt" and text(inp.get("conversationKey")) and text(inp.get("nonce")) and text(inp.get("plaintext")) is not None:
        key = bytes.fromhex(inp["conversationKey"])
        plaintext = inp["plaintext"].encode()
        seeds.add("cipher_roundtrip", roundtrip_seed(key, bytes.fromhex(inp["nonce"]), plaintext), origin)
        if 1 <= len(plaintext) <= 65535:
            seeds.add("cipher_decrypt", key + padded(plaintext), origin)
    elif operation in ("read_room", "read_response") and text(inp.get("plaintext")) is not None:
        seeds.add("payload_parse", inp["plaintext"], origin)
    elif operation == "decode_v1" and text(inp.get("text")) is not None:
        seeds.add("mask_decode", mask_v1_seed(inp["text"]), origin)
    elif operation == "decode_v2" and isinstance(inp.get("n"), int) and text(inp.get("b")) is not None:
        seeds.add("mask_decode", mask_v2_seed(inp["n"], inp["b"]), origin)
    elif operation in ("encode_v1", "encode_v2", "validate_room", "validate_response_v1", "rebase", "aggregate"):
        for v in (inp.get("mask"), inp.get("room"), inp.get("response")):
            if isinstance(v, str) and v:
                seeds.add("mask_decode", mask_v1_seed(v), origin)
            elif isinstance(v, dict) and isinstance(v.get("n"), int) and isinstance(v.get("b"), str):
                seeds.add("mask_decode", mask_v2_seed(v["n"], v["b"]), origin)
    elif operation == "generate_grid" and isinstance(inp.get("dates"), list):
        dates = [d for d in inp["dates"] if isinstance(d, str)]
        fields = [text(inp.get(k)) for k in ("zone", "start", "end")]
        if all(f is not None and "\n" not in f for f in fields) and all("\n" not in d for d in dates):
            seeds.add("grid_generate", grid_seed(*fields, dates), origin)
    elif operation == "get_expiration" and isinstance(inp.get("tags"), list):
        now = inp.get("now") if isinstance(inp.get("now"), int) else 1749546000
        tags = [t for t in inp["tags"] if isinstance(t, list) and all(isinstance(x, str) for x in t)]
        seeds.add("expiry_parse", expiry_seed(now, tags), origin)
    elif operation == "resolve" and isinstance(inp.get("events"), list):
        for ev in inp["events"]:
            raw = ev if isinstance(ev, str) else json.dumps(ev, separators=(",", ":"))
            for flags in (0, 1):
                seeds.add("event_parse", bytes([flags]) + raw.encode(), origin)
        if text(inp.get("link")) is not None:
            seeds.add("link_parse", inp["link"], origin)
    elif operation in ("build_room_event", "build_response_event", "write_room", "write_response"):
        # Their outputs (events, plaintexts) are parser inputs.
        return False
    elif operation in ("blind_room", "blind_response", "derive_keys", "derive_signing_key", "room_from_slots"):
        pass  # no untrusted input to parse
    else:
        return False
    return True


def string_seed(seeds, s, origin):
    if s.startswith("http") and "/room/" in s:
        seeds.add("link_parse", s, origin)
    if re.fullmatch(r"[01]{1,65535}", s) and len(s) > 1:
        seeds.add("mask_decode", mask_v1_seed(s), origin)
    if s.lstrip().startswith("{"):
        try:
            value = json.loads(s)
        except ValueError:
            value = None
        if isinstance(value, dict) and EVENT_KEYS <= value.keys():
            seeds.add("event_parse", b"\x00" + s.encode(), origin)
        else:
            # A plaintext (valid or not): the payload readers take any text.
            seeds.add("payload_parse", s, origin)


def object_seed(seeds, d, origin):
    if EVENT_KEYS <= d.keys():
        text = json.dumps(d, separators=(",", ":"))
        seeds.add("event_parse", b"\x00" + text.encode(), origin)
        seeds.add("event_parse", b"\x01" + text.encode(), origin)
    if isinstance(d.get("n"), int) and isinstance(d.get("b"), str):
        seeds.add("mask_decode", mask_v2_seed(d["n"], d["b"]), origin)
    # NIP-44 payloads next to a 64-hex key: the key itself, or a room key's
    # K_enc in either profile.
    keys = [bytes.fromhex(s) for s in strings_of(d) if HEX64.fullmatch(s)]
    payloads = [s for s in strings_of(d) if len(s) >= 132 and re.fullmatch(r"[A-Za-z0-9+/=#]+", s)]
    for p in payloads:
        for k in keys:
            for key in (k, k_enc(k, 1), k_enc(k, 2)):
                seeds.add("cipher_decrypt", key + p.encode(), origin)
    plaintext = d.get("plaintext")
    nonces = [bytes.fromhex(d[k]) for k in d if "nonce" in k and isinstance(d[k], str) and HEX64.fullmatch(d[k])]
    if isinstance(plaintext, str) and keys and nonces:
        seeds.add("cipher_roundtrip", roundtrip_seed(keys[0], nonces[0], plaintext.encode()), origin)
    # Grid requests: a list of dates, two wall times, a zone.
    dates = next((v for v in d.values() if isinstance(v, list) and v and all(isinstance(x, str) and DATE.fullmatch(x) for x in v)), None)
    times = [v for k, v in d.items() if isinstance(v, str) and TIME.fullmatch(v)]
    zone = next((v for k, v in d.items() if isinstance(v, str) and ("zone" in k.lower() or k.lower() in ("tz", "timezone"))), None)
    if dates is not None and len(times) >= 2 and zone is not None:
        start = d.get("start", times[0]) if isinstance(d.get("start"), str) else times[0]
        end = d.get("end", times[1]) if isinstance(d.get("end"), str) else times[1]
        seeds.add("grid_generate", grid_seed(zone, start, end, dates), origin)
    # Tag lists with an expiration tag, and `now` if the object has one.
    for v in d.values():
        if is_tag_list(v) and any(t and t[0] == "expiration" for t in v):
            now = d.get("now") if isinstance(d.get("now"), int) else 1749546000
            seeds.add("expiry_parse", expiry_seed(now, v), origin)


# ---------------------------------------------------------------------------
# Structure seeds for the targets whose input is not a protocol value
# ---------------------------------------------------------------------------


def structure_seeds(seeds):
    origin = "structure"
    # mask_aggregate reads its input with `arbitrary`: deterministic byte
    # strings of a few shapes are enough to start from.
    block = b""
    for i in range(16):
        block = hashlib.sha256(block + bytes([i])).digest()
        seeds.add("mask_aggregate", block * (i + 1), origin)
    seeds.add("mask_aggregate", bytes(range(256)), origin)
    seeds.add("mask_aggregate", b"\xff" * 512, origin)
    # lww_resolve: each pool (and rearrangement) in order, reversed, with
    # each mutation.
    for mode in (0, 1, 2, 0x80, 0x81, 0x82):
        for now in range(4):
            seeds.add("lww_resolve", bytes([mode, now]) + bytes(range(40)), origin)
            seeds.add("lww_resolve", bytes([mode, now]) + bytes(range(39, -1, -1)), origin)
        for how in range(8):
            seeds.add("lww_resolve", bytes([mode, 0, 0, 1, 2, 3, 0xC0 + how, 1, 7, 9, 0xC0 + how, 2, 3, 5, 4]), origin)


# ---------------------------------------------------------------------------
# The adapter protocol (spec/adapter-protocol.md) and the mock relay's frames
# ---------------------------------------------------------------------------


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def protocol_seeds(seeds):
    """adapter_messages: every vector case as a request (selector 0) and
    with its conforming answer to judge (selector 2), and handshakes
    (selector 1). relay_frames: every event of the vectors published, then
    asked for by its d-tag, and the same shape re-signed by the target."""
    origin = "protocol"
    for hello in (
        {"id": 0, "ok": {"name": "x", "version": "1", "protocol": 1, "profiles": ["v1", "v2"], "operations": ["parse_link"]}},
        {"id": 0, "ok": {"name": "x", "version": "1", "protocol": 2, "profiles": [], "operations": []}},
        {"id": 0, "error": {"code": "bad-request", "message": "no"}},
        {"id": 0, "unsupported": "no"},
    ):
        seeds.add("adapter_messages", b"\x01" + compact(hello).encode(), origin)
    seeds.add("adapter_messages", b'\x00{"id":0,"op":"hello","protocol":1}', origin)
    if not VECTORS.is_dir():
        return
    for suite in VECTOR_SUITES:
        path = VECTORS / f"{suite}.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        origin = f"vectors/{suite}.json"
        for g in doc.get("testGroups", []):
            for t in g.get("tests", []):
                request = {"id": t.get("tcId"), "op": g.get("operation"), "profile": g.get("profile"), "input": t.get("input")}
                seeds.add("adapter_messages", b"\x00" + compact(request).encode(), origin)
                if t.get("result") == "invalid":
                    answer = {"id": t.get("tcId"), "error": {"code": t.get("error"), "message": ""}}
                else:
                    answer = {"id": t.get("tcId"), "ok": t.get("expected")}
                case_id = f"{doc.get('suite', suite)}/{t.get('tcId')}"
                seeds.add("adapter_messages", b"\x02" + f"{case_id}\n{compact(answer)}".encode(), origin)
                for ev in nodes(t):
                    if isinstance(ev, dict) and EVENT_KEYS <= ev.keys():
                        d = next((tag[1] for tag in ev.get("tags", []) if isinstance(tag, list) and len(tag) > 1 and tag[0] == "d"), "")
                        frames = [
                            b"\x00" + compact(["EVENT", ev]).encode(),
                            b"\x01" + compact(["REQ", "s", {"kinds": [30078], "#d": [d]}]).encode(),
                            b"\x80" + compact({k: ev[k] for k in ("kind", "created_at", "tags", "content")}).encode(),
                            b"\x3f" + compact(["REQ", "t", {"authors": [ev["pubkey"]], "limit": 1}, {"#t": ["openslots"]}]).encode(),
                            b"\x00" + compact(["CLOSE", "s"]).encode(),
                        ]
                        seeds.add("relay_frames", b"\n".join(frames), origin)


def wrap_seeds(seeds):
    """wrap_parse: every wrapper (selectors 0 and 2) and set content
    (selector 1) of vectors/wrap.json, valid or not."""
    path = VECTORS / "wrap.json"
    if not path.exists():
        return
    origin = "vectors/wrap.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    for group in doc["testGroups"]:
        for case in group["tests"]:
            for src in (case.get("input", {}), case.get("expected") or {}):
                w = src.get("wrapper")
                if isinstance(w, str) and re.fullmatch(r"(?:[0-9a-f]{2})*", w):
                    seeds.add("wrap_parse", b"\x00" + bytes.fromhex(w), origin)
                    seeds.add("wrap_parse", b"\x02" + bytes.fromhex(w), origin)
                c = src.get("content")
                if isinstance(c, str):
                    seeds.add("wrap_parse", b"\x01" + c.encode(), origin)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FUZZ / "corpus", help="corpus root (default: fuzz/corpus)")
    args = parser.parse_args()
    seeds = Seeds()
    spec_seeds(seeds)
    nip44_seeds(seeds)
    vector_seeds(seeds)
    structure_seeds(seeds)
    protocol_seeds(seeds)
    wrap_seeds(seeds)
    seeds.write(args.out)
    for target in TARGETS:
        parts = [f"{n} from {o}" for (o, t), n in sorted(seeds.origin_counts.items()) if t == target]
        print(f"seed_corpora: {target}: {len(seeds.by_target[target])} seeds ({', '.join(parts)})")


if __name__ == "__main__":
    main()
