// Events and tags (spec §11): the NIP-01 shape check of OS-EVENT-13, id and
// signature through nostr-tools (getEventHash, verifyEvent), the writers of
// room and response events per profile, and the reading order of §11.4.

import { getEventHash, verifyEvent, getPublicKey } from "nostr-tools/pure";
import { schnorr } from "@noble/curves/secp256k1.js";
import { fail } from "./errors.mjs";
import { hexToBytes, toHex } from "./bytes.mjs";
import { parseJson, JsonNumber } from "./json.mjs";
import { parseLink } from "./link.mjs";
import { deriveKeys } from "./kdf.mjs";
import { roomDTag, responseDTag } from "./blind.mjs";
import { encrypt, decrypt } from "./cipher.mjs";
import { writeRoom, writeResponse, readPayload } from "./payload.mjs";
import { readExpiration, isExpiredAt } from "./expiry.mjs";

export const KIND = 30078;
const EXPIRY_MARGIN = 604800;
const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** The room context a link gives: parsed link, keys, the room d-tag and (v2) the room address. */
export async function roomContext(link) {
  const parsed = parseLink(link);
  const keys = await deriveKeys(parsed.roomKeyBytes, parsed.profile);
  const blindKey = parsed.profile === "v2" ? keys.kBlind : keys.kHmac;
  const dTag = await roomDTag(parsed.profile, blindKey, parsed.roomId);
  const address = parsed.profile === "v2" ? `${KIND}:${parsed.host}:${dTag}` : undefined;
  return { link: parsed, profile: parsed.profile, keys, blindKey, dTag, address };
}

const isInt = (v, lo, hi) => typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;

/**
 * OS-EVENT-13 on a plain object: the members and their types. `numbers`
 * (optional) holds the JsonNumber of created_at and kind when the event came
 * as text, so `1.0` is not taken for an integer.
 */
export function checkShape(e, numbers) {
  if (e === null || typeof e !== "object" || Array.isArray(e)) fail("event-json", "the event is not a JSON object (OS-EVENT-13)");
  if (typeof e.id !== "string" || !HEX64.test(e.id)) fail("event-json", "id is not 64 lower-case hex characters (OS-EVENT-13)");
  if (typeof e.pubkey !== "string" || !HEX64.test(e.pubkey)) fail("event-json", "pubkey is not 64 lower-case hex characters (OS-EVENT-13)");
  if (!isInt(e.created_at, 0, MAX_SAFE) || (numbers && !numbers.created_at?.isInteger())) fail("event-json", "created_at is not an integer from 0 to 2^53-1 (OS-EVENT-13)");
  if (!isInt(e.kind, 0, 65535) || (numbers && !numbers.kind?.isInteger())) fail("event-json", "kind is not an integer from 0 to 65535 (OS-EVENT-13)");
  if (!Array.isArray(e.tags) || !e.tags.every((t) => Array.isArray(t) && t.length > 0 && t.every((x) => typeof x === "string"))) {
    fail("event-json", "tags is not an array of non-empty arrays of strings (OS-EVENT-13)");
  }
  if (typeof e.content !== "string") fail("event-json", "content is not a string (OS-EVENT-13)");
  if (typeof e.sig !== "string" || !HEX128.test(e.sig)) fail("event-json", "sig is not 128 lower-case hex characters (OS-EVENT-13)");
  return { id: e.id, pubkey: e.pubkey, created_at: e.created_at, kind: e.kind, tags: e.tags.map((t) => [...t]), content: e.content, sig: e.sig };
}

/** parse_event: an event from its JSON text (OS-EVENT-13). */
export function parseEventJson(text) {
  let parsed;
  try {
    parsed = parseJson(text).value;
  } catch (e) {
    fail("event-json", `not JSON: ${e.message} (OS-EVENT-13)`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed) || parsed instanceof JsonNumber) fail("event-json", "the event is not a JSON object (OS-EVENT-13)");
  const plain = {};
  for (const k of ["id", "pubkey", "created_at", "kind", "tags", "content", "sig"]) {
    const v = parsed[k];
    plain[k] = v instanceof JsonNumber ? v.value : v;
  }
  if (Array.isArray(plain.tags)) plain.tags = plain.tags.map((t) => (Array.isArray(t) ? t.map((x) => (x instanceof JsonNumber ? x.value : x)) : t));
  return checkShape(plain, { created_at: parsed.created_at, kind: parsed.kind });
}

/** OS-EVENT-7 and OS-EVENT-8 through nostr-tools. */
export function checkIdAndSig(e) {
  if (getEventHash(e) !== e.id) fail("event-id", "the id is not the hash of the event (OS-EVENT-7)");
  if (!verifyEvent({ ...e })) fail("event-sig", "the signature does not verify (OS-EVENT-8)");
}

const names = (e, name, value) => e.tags.some((t) => t[0] === name && t[1] === value);
const firstTag = (e, name) => e.tags.find((t) => t[0] === name);

/**
 * §11.4: reads an event as a room or a response. ctx is a roomContext; for
 * a response `room` is the winning room {event, start, mask}. Returns the
 * payload read (title|name, start, mask).
 */
export async function readEvent(ev, role, ctx, now, room) {
  const e = checkShape(ev); // 1
  if (e.kind !== KIND) fail("event-kind", `kind ${e.kind}, not ${KIND} (OS-EVENT-1)`); // 2
  checkIdAndSig(e); // 3, 4
  // 5. tags
  const d = firstTag(e, "d");
  if (role === "room") {
    if (!d || d[1] !== ctx.dTag) fail("event-tag", "the first d tag is not the room d-tag (OS-EVENT-10)");
  } else if (!d || d.length < 2) fail("event-tag", "no d tag (OS-EVENT-10)");
  if (!names(e, "t", "openslots")) fail("event-tag", "no t tag names openslots (OS-EVENT-10)");
  if (role === "response") {
    if (ctx.profile === "v1" && !names(e, "e", room.event.id)) fail("event-tag", "no e tag names the room event (OS-EVENT-10)");
    if (ctx.profile === "v2" && !names(e, "a", ctx.address)) fail("event-tag", "no a tag names the room address (OS-EVENT-10)");
  }
  const exp = readExpiration(e.tags);
  if (ctx.profile === "v2" && exp.value === null) fail("event-tag", "the expiration tag is missing or malformed (OS-EVENT-10)");
  // 6. author
  if (role === "room" && ctx.profile === "v2" && e.pubkey !== ctx.link.host) fail("event-author", "a v2 room event must be authored by the link's host key (OS-EVENT-11)");
  if (role === "response") {
    const expected = await responseDTag(ctx.profile, ctx.blindKey, ctx.link.roomId, e.pubkey, room?.event.id);
    if (d[1] !== expected) fail("event-author", "the response d-tag is not the one of its own pubkey (OS-EVENT-11)");
  }
  // 7. expiry
  if (isExpiredAt(exp.value, now)) fail("event-expired", `expired at ${exp.value}, now ${now} (OS-EXPIRY-3)`);
  // 8-10. content
  const plaintext = await decrypt(ctx.keys.kEnc, e.content);
  return readPayload(ctx.profile, role, plaintext, {
    roomId: ctx.link.roomId,
    author: e.pubkey,
    roomMask: role === "response" && ctx.profile === "v1" ? room.mask : undefined,
  });
}

export function sign(template, secretKeyHex, auxRandHex) {
  const sk = hexToBytes(secretKeyHex);
  const e = { ...template, pubkey: getPublicKey(sk) };
  e.id = getEventHash(e);
  // nostr-tools' finalizeEvent draws its own BIP-340 auxiliary randomness; the
  // vectors fix it, so the signature is made here with the same curve library.
  e.sig = toHex(schnorr.sign(hexToBytes(e.id), sk, hexToBytes(auxRandHex)));
  return { id: e.id, pubkey: e.pubkey, created_at: e.created_at, kind: e.kind, tags: e.tags, content: e.content, sig: e.sig };
}

/** build_room_event (OS-EVENT-2, OS-EVENT-4, OS-EVENT-6, OS-EXPIRY-4, OS-EXPIRY-5). */
export async function buildRoomEvent(input) {
  const ctx = await roomContext(input.link);
  const pubkey = getPublicKey(hexToBytes(input.secretKey));
  if (ctx.profile === "v2" && pubkey !== ctx.link.host) fail("event-author", "the signing key is not the link's host key (OS-EVENT-11)");
  const plaintext = writeRoom(ctx.profile, { title: input.title, start: input.start, mask: input.mask, roomId: ctx.link.roomId, author: pubkey });
  const content = encrypt(ctx.keys.kEnc, plaintext, hexToBytes(input.nonce));
  const tags = [["d", ctx.dTag], ["t", "openslots"]];
  if (ctx.profile === "v2") {
    // OS-EXPIRY-4, exactly (the sum can pass 2^53); a horizon before 1970
    // has no expiration a writer can write (payload-field).
    const horizon = BigInt(input.start) + BigInt(input.mask.length) * 1800n;
    if (horizon < 0n) fail("payload-field", "the room's horizon is before 1970: no expiration can be written (OS-EXPIRY-4)");
    tags.push(["expiration", String(horizon + BigInt(EXPIRY_MARGIN))]);
  }
  return { event: sign({ created_at: input.createdAt, kind: KIND, tags, content }, input.secretKey, input.auxRand) };
}

/** build_response_event (OS-EVENT-3, OS-EVENT-5, OS-EVENT-6). */
export async function buildResponseEvent(input) {
  const ctx = await roomContext(input.link);
  const pubkey = getPublicKey(hexToBytes(input.secretKey));
  const dTag = await responseDTag(ctx.profile, ctx.blindKey, ctx.link.roomId, pubkey, input.roomEventId);
  const plaintext = writeResponse(ctx.profile, { name: input.name, start: input.start, mask: input.mask, roomId: ctx.link.roomId, author: pubkey });
  const content = encrypt(ctx.keys.kEnc, plaintext, hexToBytes(input.nonce));
  const tags = ctx.profile === "v2"
    ? [["d", dTag], ["a", ctx.address], ["t", "openslots"], ["expiration", String(input.expiration)]]
    : [["e", input.roomEventId], ["d", dTag], ["t", "openslots"]];
  return { event: sign({ created_at: input.createdAt, kind: KIND, tags, content }, input.secretKey, input.auxRand) };
}

/**
 * OS-EVENT-9: created_at = max(now, previous + 1), at most 2^53-1
 * (OS-EVENT-13); past it no later version exists (event-created-at). Both
 * inputs are at most 2^53-1, so previous + 1 is exact in a double.
 */
export function nextCreatedAt(now, previous) {
  // A BigInt is an integer read exactly beyond 2^53-1: no created_at there.
  if (typeof now === "bigint" || typeof previous === "bigint") fail("event-created-at", "a time beyond 2^53-1 (OS-EVENT-9)");
  const next = previous === undefined || previous === null ? now : Math.max(now, previous + 1);
  if (next > MAX_SAFE) fail("event-created-at", `no created_at after ${previous} fits in 0..2^53-1 (OS-EVENT-9)`);
  return next;
}
