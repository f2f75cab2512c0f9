// The operations of spec/adapter-protocol.md §4: each takes a vector case's
// `input` and the group's profile and returns the suite's `expected` shape,
// or throws an OsError with a spec §15 code. The client operations of §9
// (create_room, join_room, respond, update_room) are in client.mjs.

import { fail, badRequest } from "./errors.mjs";
import { isLowerHex, hexToBytes, toHex } from "./bytes.mjs";
import { parseLink } from "./link.mjs";
import { deriveKeys, deriveSigningKey } from "./kdf.mjs";
import { roomDTag, responseDTag } from "./blind.mjs";
import { encrypt, decrypt } from "./cipher.mjs";
import { writeRoom, writeResponse, readPayload } from "./payload.mjs";
import { generateGrid } from "./grid.mjs";
import * as mask from "./mask.mjs";
import { buildRoomEvent, buildResponseEvent, readEvent, roomContext, parseEventJson, nextCreatedAt } from "./event.mjs";
import { getExpiration } from "./expiry.mjs";
import { resolve } from "./resolution.mjs";
import { CLIENT_OPERATIONS } from "./client.mjs";
import * as booking from "./booking.mjs";
import * as wrap from "./wrap.mjs";

/** Thrown for a profile an operation does not have; the adapter answers `unsupported`. */
export class Unsupported extends Error {}

function hex32(v, code, what) {
  if (!isLowerHex(v, 32)) fail(code, `${what} is not 64 lower-case hex characters`);
  return hexToBytes(v);
}

function needProfile(profile, ...allowed) {
  if (!allowed.includes(profile)) throw new Unsupported(`no ${profile} form of this operation`);
}

function maskString(v, code = "mask-encoding") {
  if (typeof v !== "string" || !/^[01]*$/.test(v)) fail(code, "a mask must be a string of 0 and 1");
  return v;
}

/** A u64 (a time or an expiration): a non-negative integer Number, or a BigInt read exactly beyond 2^53-1. */
function uint(v, code, what) {
  if (typeof v === "bigint" && v >= 0n && v < 1n << 64n) return v;
  return integer(v, code, what);
}

function integer(v, code, what) {
  if (typeof v !== "number" || !Number.isInteger(v)) fail(code, `${what} is not an integer`);
  return v;
}

/** The profile a v1/v2-only operation runs under; `any` is not one of them. */
const p12 = (profile) => {
  needProfile(profile, "v1", "v2");
  return profile;
};


/** n bytes from lower-case hex, or a bad request. */
function bytesN(v, n, what) {
  if (!isLowerHex(v, n)) badRequest(`${what} is not ${n} bytes of lower-case hex`);
  return hexToBytes(v);
}

/** A writer's members: the title or name is a string; in v2 roomId and author are required strings (adapter protocol §4). */
function writerInput(input, profile, textMember) {
  text(input[textMember], textMember);
  if (p12(profile) === "v2") {
    text(input.roomId, "roomId");
    text(input.author, "author");
    if (textMember === "name" && input.start === undefined) badRequest("start is required in v2");
  }
  return input;
}

function text(v, what) {
  if (typeof v !== "string") badRequest(`${what} is not a string`);
  return v;
}

/** A non-negative integer of the input as BigInt (inputs stay within 2^53 - 1). */
function big(v, what) {
  if (typeof v === "bigint" && v >= 0n && v < 1n << 64n) return v;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) badRequest(`${what} is not a non-negative integer`);
  return BigInt(v);
}

function u8(v, what) {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255) badRequest(`${what} is not a byte`);
  return v;
}

export const OPERATIONS = {
  // link (§4)
  parse_link: (input) => {
    const l = parseLink(input.link);
    const out = { profile: l.profile, origin: l.origin, roomId: l.roomId, roomKey: l.roomKey };
    if (l.host) out.host = l.host;
    return out;
  },
  // derivation (§5)
  derive_keys: async (input, profile) => {
    const k = await deriveKeys(hex32(input.roomKey, "link-key-encoding", "roomKey"), p12(profile));
    return profile === "v2" ? { kEnc: toHex(k.kEnc), kBlind: toHex(k.kBlind) } : { kEnc: toHex(k.kEnc), kHmac: toHex(k.kHmac) };
  },
  derive_signing_key: async (input, profile) => {
    needProfile(profile, "v2");
    if (!isLowerHex(input.roomDTag, 32)) fail("event-tag", "roomDTag is not 64 lower-case hex characters");
    return deriveSigningKey(hex32(input.deviceSecret, "link-key-encoding", "deviceSecret"), input.roomDTag);
  },
  // blinding (§6)
  blind_room: async (input, profile) => {
    const pr = p12(profile);
    const k = await deriveKeys(hex32(input.roomKey, "link-key-encoding", "roomKey"), pr);
    // roomIdUtf16: the room id as UTF-16 code units (it may hold a lone
    // surrogate, which JSON text cannot carry); a JavaScript string is just
    // that, and TextEncoder encodes a lone surrogate as U+FFFD (OS-BLIND-5).
    const roomId = Array.isArray(input.roomIdUtf16) ? String.fromCharCode(...input.roomIdUtf16) : input.roomId;
    if (typeof roomId !== "string") fail("link-room-id", "roomId is not a string");
    return { dTag: await roomDTag(pr, pr === "v2" ? k.kBlind : k.kHmac, roomId) };
  },
  blind_response: async (input, profile) => {
    const pr = p12(profile);
    const k = await deriveKeys(hex32(input.roomKey, "link-key-encoding", "roomKey"), pr);
    if (typeof input.roomId !== "string") fail("link-room-id", "roomId is not a string");
    hex32(input.author, "event-author", "author");
    if (pr === "v1") hex32(input.roomEventId, "event-tag", "roomEventId");
    return { dTag: await responseDTag(pr, pr === "v2" ? k.kBlind : k.kHmac, input.roomId, input.author, input.roomEventId) };
  },
  // encryption (§7)
  encrypt: (input) => {
    if (typeof input.plaintext !== "string") fail("cipher-plaintext-length", "plaintext is not a string");
    return { payload: encrypt(hex32(input.conversationKey, "cipher-mac", "conversationKey"), input.plaintext, hex32(input.nonce, "cipher-version", "nonce")) };
  },
  decrypt: async (input) => ({ plaintext: await decrypt(hex32(input.conversationKey, "cipher-mac", "conversationKey"), input.payload) }),
  // payloads (§8)
  write_room: (input, profile) => ({ plaintext: writeRoom(p12(profile), { ...writerInput(input, profile, "title"), mask: maskString(input.mask) }) }),
  write_response: (input, profile) => ({ plaintext: writeResponse(p12(profile), { ...writerInput(input, profile, "name"), mask: maskString(input.mask) }) }),
  read_room: (input, profile) => readPayload(p12(profile), "room", str(input.plaintext), { roomId: input.roomId, author: input.author }),
  read_response: (input, profile) => readPayload(p12(profile), "response", str(input.plaintext), { roomId: input.roomId, author: input.author }),
  // grid (§9)
  generate_grid: (input) => ({ slots: generateGrid(input) }),
  // masks (§10)
  decode_v1: (input) => ({ mask: mask.decodeV1(input.text) }),
  decode_v2: (input) => ({ mask: mask.decodeV2(input.n, input.b) }),
  encode_v1: (input) => ({ text: mask.encodeV1(maskString(input.mask)) }),
  encode_v2: (input) => mask.encodeV2(maskString(input.mask)),
  validate_room: (input, profile) => ({ mask: mask.validateRoom(p12(profile), input.mask) }),
  validate_response_v1: (input) => ({ mask: mask.validateResponseV1(maskString(input.room), input.response) }),
  room_from_slots: (input, profile) => mask.roomFromSlots(p12(profile), input.slots),
  rebase: (input) => {
    const room = maskString(input.room);
    const k = mask.offsetPositions(integer(input.responseStart, "mask-off-grid", "responseStart"), integer(input.roomStart, "mask-off-grid", "roomStart"));
    return { mask: mask.rebase(room, maskString(input.response), k) };
  },
  aggregate: (input) => {
    if (!Array.isArray(input.responses)) fail("mask-encoding", "responses is not a list");
    return { counts: mask.aggregate(maskString(input.room), input.responses.map((r) => maskString(r))) };
  },
  choose_response: (input) => {
    if (!Array.isArray(input.chosen)) fail("mask-off-grid", "chosen is not a list");
    return { mask: mask.chooseResponse(maskString(input.room), time(input.roomStart, "mask-off-grid", "roomStart"), input.chosen) };
  },
  // events (§11)
  build_room_event: (input, profile) => {
    p12(profile);
    checkBuildInput(input);
    str(input.title, "payload-field");
    // The start is checked by the writer, after the mask (§8.2, OS-PAYLOAD-12).
    return buildRoomEvent(input);
  },
  build_response_event: (input, profile) => {
    p12(profile);
    checkBuildInput(input);
    str(input.name, "payload-field");
    if (profile === "v1") hex32(input.roomEventId, "event-tag", "roomEventId");
    else {
      uint(input.expiration, "event-tag", "expiration");
    }
    return buildResponseEvent(input);
  },
  read_room_event: async (input, profile) => {
    p12(profile);
    const ctx = await roomContext(input.link);
    const r = await readEvent(input.event, "room", ctx, uint(input.now, "event-expired", "now"));
    return { title: r.title, start: r.start, mask: r.mask };
  },
  parse_event: (input) => ({ id: parseEventJson(str(input.eventJson, "event-json")).id }),
  next_created_at: (input) => ({ createdAt: nextCreatedAt(typeof input.now === "bigint" ? input.now : integer(input.now, "event-json", "now"), input.previous) }),
  // expiry (§12)
  get_expiration: (input) => {
    if (!Array.isArray(input.tags)) fail("event-json", "tags is not a list");
    return getExpiration(input.tags, uint(input.now, "event-json", "now"));
  },
  // lww and resolution (§13, §14)
  resolve: (input, profile) => {
    p12(profile);
    uint(input.now, "event-expired", "now");
    return resolve(input);
  },
  // bookings (spec §19.1; adapter protocol §10)
  booking_commit: (input, profile) => {
    needProfile(profile, "v2");
    return { commit: booking.commitment(str(input.roomId), input.nonce) };
  },
  read_booking_room: (input, profile) => {
    needProfile(profile, "v2");
    return booking.readBook(str(input.plaintext));
  },
  read_booking_request: (input, profile) => {
    needProfile(profile, "v2");
    return booking.readRequest(str(input.plaintext), str(input.roomId), str(input.author));
  },
  decide_bookings: (input, profile) => {
    needProfile(profile, "v2");
    const m = booking.decide(bookingInput(input));
    return { ...m, payload: booking.writeManifest(input.roomId, input.host, m) };
  },
  booking_status: (input, profile) => {
    needProfile(profile, "v2");
    return booking.status(manifestInput(input.manifest), str(input.commit));
  },
  // client operations over relays (adapter protocol §9)
  ...CLIENT_OPERATIONS,
  // wrap (§19.2; adapter protocol §11)
  derive_intermediate: (input) => {
    const salt = bytesN(input.salt, 16, "salt");
    return { intermediate: toHex(wrap.deriveIntermediate(text(input.passphrase, "passphrase"), salt, u8(input.logN, "logN"))) };
  },
  member_keys: (input) => {
    const k = wrap.memberKeys(bytesN(input.intermediate, 32, "intermediate"), bytesN(input.groupId, 32, "groupId"), big(input.epoch, "epoch"));
    return { locator: toHex(k.locator), wrapKey: toHex(k.wrapKey) };
  },
  seal_wrapper: (input) => ({
    wrapper: toHex(
      wrap.seal(
        bytesN(input.intermediate, 32, "intermediate"),
        bytesN(input.groupId, 32, "groupId"),
        big(input.epoch, "epoch"),
        bytesN(input.salt, 16, "salt"),
        u8(input.logN, "logN"),
        bytesN(input.nonce, 24, "nonce"),
        bytesN(input.epochSecret, 32, "epochSecret"),
      ),
    ),
  }),
  open_wrapper: (input) => {
    if (!isLowerHex(input.wrapper)) badRequest("wrapper is not lower-case hex");
    const s = wrap.openWithPassphrase(text(input.passphrase, "passphrase"), bytesN(input.groupId, 32, "groupId"), big(input.epoch, "epoch"), hexToBytes(input.wrapper));
    return { epochSecret: toHex(s) };
  },
  open_set: (input) => {
    const o = wrap.openSet(text(input.passphrase, "passphrase"), bytesN(input.groupId, 32, "groupId"), text(input.content, "content"));
    return { epoch: o.epoch, index: o.index, locator: toHex(o.locator), epochSecret: toHex(o.secret) };
  },
  check_epoch: (input) => wrap.checkEpoch(big(input.rotate, "rotate"), big(input.margin, "margin"), big(input.epoch, "epoch"), big(input.now, "now")),
  set_address: (input) => {
    const w = wrap.window(big(input.rotate, "rotate"), big(input.margin, "margin"), big(input.epoch, "epoch"));
    return { dTag: wrap.setDTag(bytesN(input.groupId, 32, "groupId")), end: w.end };
  },
  derive_epoch_key: (input) => ({
    key: toHex(wrap.epochKey(bytesN(input.epochSecret, 32, "epochSecret"), bytesN(input.groupId, 32, "groupId"), big(input.epoch, "epoch"), text(input.purpose, "purpose"))),
  }),
};

function str(v, code = "payload-json") {
  if (typeof v !== "string") fail(code, "expected a string");
  return v;
}

function checkBuildInput(input) {
  hex32(input.secretKey, "event-sig", "secretKey");
  hex32(input.nonce, "cipher-version", "nonce");
  hex32(input.auxRand, "event-sig", "auxRand");
  integer(input.createdAt, "event-json", "createdAt");
  maskString(input.mask);
}

/** A time that may arrive as a BigInt (an integer beyond 2^53-1, read exactly). */
function time(v, code, what) {
  return typeof v === "bigint" ? v : integer(v, code, what);
}

function list(v, what) {
  if (!Array.isArray(v)) badRequest(`${what} is not a list`);
  return v;
}

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isInt = (v) => Number.isInteger(v);
const isStr = (v) => typeof v === "string";

function each(v, what, ok) {
  for (const x of list(v, what)) if (!ok(x)) badRequest(`${what} has a malformed entry`);
  return v;
}

const holdOk = (h) => isObj(h) && isInt(h.slot) && isInt(h.seats) && isStr(h.code);

function manifestInput(m) {
  if (!isObj(m)) badRequest("manifest is not an object");
  return {
    booked: each(m.booked, "booked", (b) => isObj(b) && isInt(b.slot) && Array.isArray(b.commits) && b.commits.every(isStr)),
    held: each(m.held, "held", holdOk),
    refused: each(m.refused, "refused", (r) => isObj(r) && isStr(r.commit) && isStr(r.code)),
    spent: each(m.spent, "spent", isStr),
  };
}

const requestOk = (r) =>
  isObj(r) && isStr(r.id) && isStr(r.author) && isInt(r.createdAt) && Array.isArray(r.slots) && r.slots.every(isInt) &&
  (r.commit === undefined || isStr(r.commit)) && (r.reveal === undefined || isStr(r.reveal));

function bookingInput(input) {
  for (const k of ["now", "cap", "max"]) if (!Number.isInteger(input[k])) badRequest(`${k} is not an integer`);
  if (!isStr(input.roomId) || !isStr(input.host)) badRequest("roomId and host are strings");
  return {
    roomId: input.roomId,
    now: input.now,
    offered: each(input.offered, "offered", isInt),
    cap: input.cap,
    max: input.max,
    // No previous manifest: the first run, nothing booked yet.
    previous: manifestInput(input.previous ?? { booked: [], held: [], refused: [], spent: [] }),
    holds: each(input.holds ?? [], "holds", holdOk),
    requests: each(input.requests, "requests", requestOk),
  };
}
