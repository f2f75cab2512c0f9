// Masks (spec §10): v1 strings of 0/1, v2 bit-packed base64 objects, room
// masks built from slot instants, response masks read in room coordinates,
// and per-slot counts. Inside this module a mask is a string of '0'/'1'.

import { fail } from "./errors.mjs";
import { decodeCanonicalBase64, encodeBase64 } from "./bytes.mjs";

export const SLOT = 1800;
export const V1_MAX = 65535;
export const V2_MAX = 35136;

/** §10.3 steps 1-3 for a v1 mask (OS-MASK-1). */
export function decodeV1(text) {
  if (typeof text !== "string") fail("mask-encoding", "the mask is not a string");
  if (text.length === 0) fail("mask-length", "empty mask (OS-MASK-1)");
  if (text.length > V1_MAX) fail("mask-too-large", `mask of ${text.length} characters; at most ${V1_MAX} (OS-MASK-1)`);
  if (!/^[01]+$/.test(text)) fail("mask-encoding", "a character other than 0 or 1 (OS-MASK-1)");
  return text;
}

/** The v1 writer: the mask string itself. */
export function encodeV1(mask) {
  return mask;
}

/** §10.3 steps 1-4 for a v2 mask object (OS-MASK-5, OS-MASK-6). */
export function decodeV2(n, b) {
  // An integer beyond 2^53-1 in magnitude arrives as a BigInt: step 1 still
  // applies to it (OS-MASK-6).
  if (typeof n === "bigint") {
    if (n < 1n) fail("mask-length", `n = ${n} < 1 (OS-MASK-6)`);
    fail("mask-too-large", `n = ${n} > ${V2_MAX} (OS-MASK-6)`);
  }
  if (!Number.isSafeInteger(n)) fail("mask-length", "n is not an integer");
  if (n < 1) fail("mask-length", `n = ${n} < 1 (OS-MASK-6)`);
  if (n > V2_MAX) fail("mask-too-large", `n = ${n} > ${V2_MAX} (OS-MASK-6)`);
  const bytes = decodeCanonicalBase64(b);
  if (bytes === null) fail("mask-encoding", "b is not canonical padded standard base64 (OS-MASK-5)");
  if (bytes.length !== Math.ceil(n / 8)) fail("mask-length", `${bytes.length} bytes for n = ${n}; ${Math.ceil(n / 8)} expected (OS-MASK-5)`);
  let s = "";
  for (let i = 0; i < bytes.length * 8; i++) {
    const bit = (bytes[i >> 3] >> (7 - (i & 7))) & 1;
    if (i < n) s += bit ? "1" : "0";
    else if (bit) fail("mask-trailing-bits", `bit ${i} is set, n = ${n} (OS-MASK-5)`);
  }
  return s;
}

/** The v2 writer (OS-MASK-5): {n, b}, most significant bit first. */
export function encodeV2(mask) {
  const bytes = new Uint8Array(Math.ceil(mask.length / 8));
  for (let i = 0; i < mask.length; i++) if (mask[i] === "1") bytes[i >> 3] |= 0x80 >> (i & 7);
  return { n: mask.length, b: encodeBase64(bytes) };
}

/**
 * OS-MASK-12: a writer checks the mask it is given (a 0/1 string) before
 * anything else, in the order of §10.3 (OS-MASK-13): no position, the
 * profile's limit, then (a room mask) the trim check.
 */
export function checkWritable(profile, role, mask) {
  if (mask.length === 0) fail("mask-length", "a mask with no position (OS-MASK-12)");
  const limit = profile === "v2" ? V2_MAX : V1_MAX;
  if (mask.length > limit) fail("mask-too-large", `a mask of ${mask.length} positions; at most ${limit} (OS-MASK-12)`);
  if (role === "room") checkTrimmed(profile, mask);
  return mask;
}

/**
 * OS-MASK-2: a room mask starts with an offered slot and ends with one; a v1
 * room mask may also end in "10" (one clear position after the last slot,
 * the deployed app's mask when the last slot is off the grid).
 */
export function checkTrimmed(profile, mask) {
  const endsSet = mask[mask.length - 1] === "1";
  const endsV1 = profile === "v1" && mask.length >= 2 && mask.endsWith("10");
  if (mask[0] !== "1" || !(endsSet || endsV1)) fail("mask-untrimmed", `a room mask must start with an offered slot and end with one${profile === "v1" ? " or with one and a clear position" : ""} (OS-MASK-2)`);
  return mask;
}

/** A room mask of either profile, as a string (§10.3). */
export function validateRoom(profile, mask) {
  if (profile === "v2") {
    const { n, b } = encodeV2(decodeV1Loose(mask));
    return checkTrimmed("v2", decodeV2(n, b));
  }
  return checkTrimmed("v1", decodeV1(mask));
}

function decodeV1Loose(mask) {
  if (typeof mask !== "string" || !/^[01]*$/.test(mask)) fail("mask-encoding", "a character other than 0 or 1");
  if (mask.length === 0) fail("mask-length", "empty mask");
  return mask;
}

/** OS-MASK-3: a v1 response mask has the room mask's length. */
export function validateResponseV1(room, response) {
  decodeV1(response);
  if (response.length !== room.length) fail("mask-length", `response mask of ${response.length} positions, room of ${room.length} (OS-MASK-3)`);
  return response;
}

/** §10.2: {start, mask} from slot instants (OS-MASK-4). */
export function roomFromSlots(profile, slots) {
  if (!Array.isArray(slots) || slots.some((t) => typeof t !== "bigint" && (typeof t !== "number" || !Number.isInteger(t)))) fail("mask-encoding", "slots must be integers");
  if (slots.length === 0) fail("mask-length", "no slots: an empty mask (OS-MASK-1)");
  const big = slots.map((t) => BigInt(t));
  const start = big.reduce((a, b) => (b < a ? b : a));
  const limit = BigInt(profile === "v2" ? V2_MAX : V1_MAX);
  const idx = [];
  for (const t of big) {
    const off = t - start;
    if (off % 1800n !== 0n && profile === "v2") fail("mask-off-grid", `slot ${t} is ${off} s from the start, not a multiple of 1800 (OS-MASK-4)`);
    idx.push(off / 1800n); // off >= 0, so BigInt division is the floor
  }
  // v1: ceil((last - start + 1800) / 1800) positions, one more than the
  // last index + 1 when the last slot is off the grid (OS-MASK-4, §10.2).
  const lastOff = big.reduce((a, b) => (b > a ? b : a)) - start;
  const tail = profile === "v1" && lastOff % 1800n !== 0n ? 1n : 0n;
  const len = idx.reduce((a, b) => (b > a ? b : a)) + 1n + tail;
  if (len > limit) fail("mask-too-large", `a span of ${len} slots; at most ${limit} (OS-MASK-4)`);
  const arr = new Uint8Array(Number(len));
  for (const i of idx) arr[Number(i)] = 1;
  let mask = "";
  for (const v of arr) mask += v ? "1" : "0";
  // A start beyond 2^53-1 in magnitude stays a BigInt, written exactly.
  return { start: Number.isSafeInteger(Number(start)) ? Number(start) : start, mask };
}

/** The offset k in positions of a response start against the room start (OS-MASK-7). */
export function offsetPositions(responseStart, roomStart) {
  const off = BigInt(responseStart) - BigInt(roomStart);
  if (off % 1800n !== 0n) fail("mask-off-grid", `response start is ${off} s from the room start, not a multiple of 1800 (OS-MASK-7)`);
  return off / 1800n;
}

/**
 * The room positions at which a response is available (§10.3, "Availability"):
 * response position i stands for room position j = i + k; kept only when
 * 0 <= j < room length and room position j is offered (OS-MASK-7, OS-MASK-9).
 */
export function rebase(room, response, k = 0n) {
  const out = new Uint8Array(room.length);
  for (let i = 0; i < response.length; i++) {
    if (response[i] !== "1") continue;
    const j = BigInt(i) + k;
    if (j >= 0n && j < BigInt(room.length) && room[Number(j)] === "1") out[Number(j)] = 1;
  }
  let s = "";
  for (const v of out) s += v ? "1" : "0";
  return s;
}

/** OS-MASK-8: per room position, the number of responses available there (0 where not offered). */
export function aggregate(room, responses) {
  const counts = new Array(room.length).fill(0);
  for (const r of responses) {
    const a = rebase(room, r);
    for (let j = 0; j < a.length; j++) if (a[j] === "1") counts[j]++;
  }
  return counts;
}

/** OS-MASK-10: the response mask for the chosen instants; each must be an offered slot. */
export function chooseResponse(room, roomStart, chosen) {
  const out = new Uint8Array(room.length);
  for (const t of chosen) {
    if (typeof t !== "bigint" && (typeof t !== "number" || !Number.isInteger(t))) fail("mask-off-grid", "a chosen slot is not an integer");
    const off = BigInt(t) - BigInt(roomStart);
    const j = off / 1800n;
    if (off % 1800n !== 0n || off < 0n || j >= BigInt(room.length) || room[Number(j)] !== "1") {
      fail("mask-off-grid", `${t} is not an offered slot of the room (OS-MASK-10)`);
    }
    out[Number(j)] = 1;
  }
  let s = "";
  for (const v of out) s += v ? "1" : "0";
  return s;
}

/** The instants of the set positions of a mask. */
export function instants(start, mask) {
  const out = [];
  for (let j = 0; j < mask.length; j++) if (mask[j] === "1") out.push(start + j * SLOT);
  return out;
}
