// Bookings (spec §19.1, area BOOK), written from the spec text: the receipt
// commitment (OS-BOOK-3), the room's `book` member (OS-BOOK-2), the request
// payload (OS-BOOK-4), the decision procedure of §19.1.3 (OS-BOOK-8 to
// OS-BOOK-15), the manifest payload and an attendee's reading of it
// (OS-BOOK-6).

import { createHash } from "node:crypto";
import { fail, badRequest } from "./errors.mjs";
import { isLowerHex, hexToBytes, toHex } from "./bytes.mjs";
import { frame } from "./blind.mjs";
import { parseJson, JsonNumber } from "./json.mjs";

const isHex64 = (s) => isLowerHex(s, 32);
const isInteger = (v) => v instanceof JsonNumber && v.isInteger();
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof JsonNumber);

/** OS-BOOK-3: hex(SHA-256(frame("openslots:v2:receipt", room id, nonce))). */
export function commitment(roomId, nonceHex) {
  if (!isHex64(nonceHex)) fail("book-nonce", "a receipt nonce is 64 lower-case hex characters (OS-BOOK-3)");
  const msg = frame("openslots:v2:receipt", roomId, hexToBytes(nonceHex));
  return toHex(createHash("sha256").update(msg).digest());
}

/** OS-BOOK-2: the `book` member of a v2 room plaintext. */
export function readBook(plaintext) {
  let o;
  try {
    o = parseJson(plaintext, { scalarStrings: true }).value;
  } catch (e) {
    fail("payload-json", `not a JSON text: ${e.message}`);
  }
  if (!isObject(o)) fail("payload-json", "not a JSON object");
  const b = o.book;
  const inRange = (v, hi) => isInteger(v) && v.value >= 1 && v.value <= hi;
  if (!isObject(b) || !inRange(b.cap, 1000) || !inRange(b.max, 48)) fail("book-room", "the room offers no bookings or book is malformed (OS-BOOK-2)");
  return { cap: b.cap.value, max: b.max.value };
}

/** OS-BOOK-4: a request plaintext bound to roomId and author. */
export function readRequest(plaintext, roomId, author) {
  let parsed;
  try {
    parsed = parseJson(plaintext, { scalarStrings: true });
  } catch (e) {
    fail("payload-json", `not a JSON text: ${e.message}`);
  }
  const o = parsed.value;
  if (!isObject(o) || parsed.duplicates) fail("payload-json", "not a JSON object with unique member names");
  if (!isInteger(o.v)) fail("payload-field", "v is missing or not an integer");
  if (o.v.value !== 2) fail("payload-version", `v is ${o.v.value}`);
  for (const k of ["role", "room", "author", "seen"]) if (typeof o[k] !== "string") fail("payload-field", `${k} is missing or not a string`);
  if (!Array.isArray(o.slots) || !o.slots.every(isInteger)) fail("payload-field", "slots is not an array of integers");
  for (const k of ["commit", "reveal"]) if (k in o && typeof o[k] !== "string") fail("payload-field", `${k} is not a string`);
  if (o.role !== "booking" || o.room !== roomId || o.author !== author) fail("payload-binding", "role, room or author does not match (OS-PAYLOAD-8)");
  const slots = o.slots.map((x) => x.value);
  const commit = o.commit;
  const reveal = o.reveal;
  const ascending = slots.every((t, i) => i === 0 || slots[i - 1] < t);
  const paired = slots.length === 0 ? commit === undefined && reveal !== undefined : commit !== undefined;
  if (!isHex64(o.seen) || (commit !== undefined && !isHex64(commit)) || (reveal !== undefined && !isHex64(reveal)) || slots.length > 48 || !ascending || !paired) {
    fail("book-request", "the request breaks a rule of its members (OS-BOOK-4)");
  }
  const out = { seen: o.seen, slots };
  if (commit !== undefined) out.commit = commit;
  if (reveal !== undefined) out.reveal = reveal;
  return out;
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** OS-BOOK-8: one request per author, greatest createdAt, then lowest id. */
function counted(requests) {
  const best = new Map();
  for (const r of requests) {
    const b = best.get(r.author);
    if (!b || r.createdAt > b.createdAt || (r.createdAt === b.createdAt && r.id < b.id)) best.set(r.author, r);
  }
  return [...best.values()];
}

/** §19.1.3: the next manifest {booked, held, refused, spent}. */
export function decide({ roomId, now, offered, cap, max, previous, holds, requests }) {
  const offer = new Set(offered);
  const reqs = counted(requests).sort((a, b) => a.createdAt - b.createdAt || cmp(a.id, b.id));
  const carried = new Set(reqs.filter((r) => r.commit !== undefined).map((r) => r.commit));
  // 1. booked without past slots; spent; withdrawals carried over
  const B = new Map(); // slot -> Set(commit)
  for (const e of previous.booked) if (e.slot > now) B.set(e.slot, new Set(e.commits));
  const S = new Set(previous.spent);
  const R = new Map(previous.refused.filter((e) => e.code === "book-withdrawn" && carried.has(e.commit)).map((e) => [e.commit, e.code]));
  const inB = (c) => [...B.values()].some((s) => s.has(c));
  const removeFromB = (c) => B.forEach((s) => s.delete(c));
  // 2. withdraw
  const all = [...new Set([...B.values()].flatMap((s) => [...s]))].sort(cmp);
  for (const c of all) {
    if ([...B].some(([t, s]) => s.has(c) && !offer.has(t))) {
      removeFromB(c);
      if (!R.has(c)) R.set(c, "book-withdrawn");
    }
  }
  // 3. holds
  const kept = holds.filter((h) => h.slot > now).sort((a, b) => a.slot - b.slot || cmp(a.code, b.code) || a.seats - b.seats);
  const held = new Map();
  for (const h of kept) {
    const codeBytes = Buffer.byteLength(h.code, "utf8");
    const before = held.get(h.slot) ?? 0;
    const taken = B.get(h.slot)?.size ?? 0;
    if (!offer.has(h.slot) || h.seats < 1 || h.seats > cap || codeBytes < 1 || codeBytes > 64 || taken + before + h.seats > cap) {
      fail("book-hold", "a hold names a slot not offered or does not fit (OS-BOOK-13)");
    }
    held.set(h.slot, before + h.seats);
  }
  // 4. requests in order
  for (const q of reqs) {
    const h = q.reveal !== undefined ? commitment(roomId, q.reveal) : undefined;
    const key = q.commit ?? h;
    const refuse = (code) => {
      if (key !== undefined && !R.has(key)) R.set(key, code);
    };
    if (h !== undefined) {
      if (S.has(h)) {
        refuse("book-spent");
        continue;
      }
      if (inB(h)) {
        removeFromB(h);
        S.add(h);
      } else {
        refuse("book-receipt");
        continue;
      }
    }
    if (q.slots.length === 0 || q.commit === undefined) continue;
    const c = q.commit;
    if (inB(c)) continue;
    if (S.has(c)) {
      refuse("book-spent");
      continue;
    }
    if (R.has(c)) continue;
    let code;
    if (q.slots.length > max) code = "book-too-many";
    else {
      for (const t of [...q.slots].sort((a, b) => a - b)) {
        if (t <= now) code = "book-past";
        else if (!offer.has(t)) code = "book-stale";
        else if ((B.get(t)?.size ?? 0) + (held.get(t) ?? 0) >= cap) code = "book-full";
        if (code) break;
      }
    }
    if (code) {
      refuse(code);
      continue;
    }
    for (const t of q.slots) {
      if (!B.has(t)) B.set(t, new Set());
      B.get(t).add(c);
    }
  }
  // 5. output
  const booked = [...B]
    .filter(([, s]) => s.size > 0)
    .sort((a, b) => a[0] - b[0])
    .map(([slot, s]) => ({ slot, commits: [...s].sort(cmp) }));
  const refused = [...R]
    .filter(([c]) => !inB(c) && !S.has(c))
    .sort((a, b) => cmp(a[0], b[0]))
    .map(([commit, code]) => ({ commit, code }));
  return { booked, held: kept.map(({ slot, seats, code }) => ({ slot, seats, code })), refused, spent: [...S].sort(cmp) };
}

/** OS-BOOK-6: the manifest payload, JSON.stringify of the members in order. */
export function writeManifest(roomId, host, m) {
  return JSON.stringify({ v: 2, role: "manifest", room: roomId, author: host, booked: m.booked, held: m.held, refused: m.refused, spent: m.spent });
}

const REFUSALS = new Set(["book-too-many", "book-past", "book-stale", "book-full", "book-receipt", "book-spent", "book-withdrawn"]);

/** OS-BOOK-6: an attendee's state of a commitment; a refusal throws its code. */
export function status(m, commit) {
  const slots = m.booked.filter((e) => e.commits.includes(commit)).map((e) => e.slot);
  if (slots.length) return { state: "confirmed", slots };
  if (m.spent.includes(commit)) return { state: "cancelled" };
  const r = m.refused.find((e) => e.commit === commit);
  if (r) {
    if (!REFUSALS.has(r.code)) badRequest(`unknown refusal code ${r.code}`);
    fail(r.code, "the host refused this request (OS-BOOK-6)");
  }
  return { state: "pending" };
}
