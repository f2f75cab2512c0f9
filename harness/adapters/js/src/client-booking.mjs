// Booking client operations (adapter protocol §10.1, spec §19.1), written
// from the spec text: create_room and update_room with `book` (OS-BOOK-2),
// request_booking (OS-BOOK-4, OS-BOOK-5: the request encrypted to the host
// under the NIP-44 conversation key of author and host), settle_bookings
// (the host's client: the requests that count, the previous manifest, the
// procedure of §19.1.3 and the manifest event of OS-BOOK-7, OS-BOOK-16), and
// join_room's `bookings` (OS-BOOK-6). v1 rooms are never bookable
// (OS-BOOK-1: `book-room`).

import { v2 as nip44 } from "nostr-tools/nip44";
import { fail, badRequest, OsError } from "./errors.mjs";
import { hexToBytes, toHex, isLowerHex } from "./bytes.mjs";
import { frame, roomDTag } from "./blind.mjs";
import { hmacSha256, deriveKeys } from "./kdf.mjs";
import { formatLink } from "./link.mjs";
import { encrypt, decrypt } from "./cipher.mjs";
import { writeRoom } from "./payload.mjs";
import { roomFromSlots, SLOT } from "./mask.mjs";
import { KIND, roomContext, checkShape, checkIdAndSig, nextCreatedAt, sign } from "./event.mjs";
import { readExpiration, isExpiredAt } from "./expiry.mjs";
import { parseJson } from "./json.mjs";
import { commitment, readBook, readRequest, decide, writeManifest } from "./booking.mjs";
import { common, hex32, text, instants, signingKey, join, openLink, previousCreatedAt, publication } from "./client.mjs";

const EXPIRY_MARGIN = 604800;
const UUID_LOWER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function notV1(profile) {
  if (profile !== "v2") fail("book-room", "bookings exist in v2 only (OS-BOOK-1)");
}

/** OS-BOOK-2: `book` checked before it is written. */
function bookOf(input) {
  const b = input.book;
  if (b === null || typeof b !== "object") badRequest("book is not an object");
  const ok = (v, hi) => Number.isSafeInteger(v) && v >= 1 && v <= hi;
  if (!ok(b.cap, 1000) || !ok(b.max, 48)) fail("book-room", "book.cap is 1..1000 and book.max 1..48 (OS-BOOK-2)");
  return { cap: b.cap, max: b.max };
}

/** OS-BOOK-5: the request d-tag of an author. */
async function requestDTag(ctx, authorHex) {
  return toHex(await hmacSha256(ctx.blindKey, frame("openslots:v2:booking", ctx.link.roomId, hexToBytes(authorHex))));
}

/** OS-BOOK-7: the manifest d-tag. */
async function manifestDTag(ctx) {
  return toHex(await hmacSha256(ctx.blindKey, frame("openslots:v2:manifest", ctx.link.roomId)));
}

const firstTag = (e, name) => e.tags.find((t) => t[0] === name);
const hasTag = (e, name, value) => e.tags.some((t) => t[0] === name && t[1] === value);
const newer = (a, b) => a.created_at > b.created_at || (a.created_at === b.created_at && a.id < b.id);

/** A room version's expiration (OS-EXPIRY-4), which booking events carry (OS-BOOK-16). */
function expirationOf(winner) {
  return winner.start + winner.mask.length * SLOT + EXPIRY_MARGIN;
}

/** The room plaintext with `book` after `mask`, encrypted and signed as a v2 room event. */
async function bookableRoomEvent(ctx, key, title, slots, book, createdAt, nonce, auxRand) {
  if (key.publicKey !== ctx.link.host) fail("event-author", "only the link's host key writes a v2 room (OS-EVENT-11)");
  const room = roomFromSlots("v2", slots);
  const plain = writeRoom("v2", { title, start: room.start, mask: room.mask, roomId: ctx.link.roomId, author: key.publicKey });
  const withBook = `${plain.slice(0, -1)},"book":{"cap":${book.cap},"max":${book.max}}}`;
  const content = encrypt(ctx.keys.kEnc, withBook, hexToBytes(nonce));
  const expiration = room.start + room.mask.length * SLOT + EXPIRY_MARGIN;
  const tags = [["d", ctx.dTag], ["t", "openslots"], ["expiration", String(expiration)]];
  return sign({ created_at: createdAt, kind: KIND, tags, content }, key.secretKey, auxRand);
}

/** create_room with `book`: the link as create_room makes it, the room with `book`. */
export async function createBookable(input, profile) {
  notV1(profile);
  const book = bookOf(input);
  const { relays, timeoutMs, now } = common(input);
  const origin = text(input, "origin");
  const roomId = text(input, "room_id");
  const roomKey = hex32(input, "room_key");
  const deviceSecret = hex32(input, "device_secret");
  const title = text(input, "title");
  const slots = instants(input, "slots");
  const nonce = hex32(input, "nonce");
  const auxRand = hex32(input, "aux_rand");
  if (!UUID_LOWER.test(roomId)) fail("link-room-id", "room_id is not a canonical lower-case UUID (OS-LINK-2)");
  const keys = await deriveKeys(hexToBytes(roomKey), "v2");
  const dTag = await roomDTag("v2", keys.kBlind, roomId);
  const key = await signingKey("v2", deviceSecret, dTag);
  const link = formatLink({ profile: "v2", origin, roomId, roomKey, host: key.publicKey });
  const ctx = await roomContext(link);
  const event = await bookableRoomEvent(ctx, key, title, slots, book, now, nonce, auxRand);
  return { link, ...(await publication(event, relays, timeoutMs)) };
}

/** update_room with `book`. */
export async function updateBookable(input) {
  const { relays, timeoutMs, now } = common(input);
  const link = await openLink(input);
  const { ctx } = link;
  notV1(ctx.profile);
  const book = bookOf(input);
  const deviceSecret = hex32(input, "device_secret");
  const title = text(input, "title");
  const slots = instants(input, "slots");
  const nonce = hex32(input, "nonce");
  const auxRand = hex32(input, "aux_rand");
  const key = await signingKey(ctx.profile, deviceSecret, ctx.dTag);
  if (key.publicKey !== ctx.link.host) fail("event-author", "only the link's host key writes a v2 room (OS-EVENT-11)");
  const room = roomFromSlots("v2", slots);
  writeRoom("v2", { title, start: room.start, mask: room.mask, roomId: ctx.link.roomId, author: key.publicKey });
  const { events } = await join(link, now, relays, timeoutMs);
  const createdAt = nextCreatedAt(now, previousCreatedAt(events, key.publicKey, ctx.dTag));
  const event = await bookableRoomEvent(ctx, key, title, slots, book, createdAt, nonce, auxRand);
  return publication(event, relays, timeoutMs);
}

/** The `book` of the winning room version (OS-BOOK-2). */
async function offerOf(ctx, winner) {
  notV1(ctx.profile);
  return readBook(await decrypt(ctx.keys.kEnc, winner.event.content));
}

/** The checks every booking event passes: shape, kind, id, signature, t, a, expiration, expiry. */
function commonValid(ctx, raw, now) {
  const e = checkShape(raw);
  if (e.kind !== KIND) fail("event-kind", "not 30078");
  checkIdAndSig(e);
  if (!hasTag(e, "t", "openslots") || !hasTag(e, "a", ctx.address)) fail("event-tag", "missing t or a tag (OS-EVENT-10)");
  const exp = readExpiration(e.tags);
  if (exp.value === null) fail("event-tag", "no expiration (OS-EVENT-10)");
  if (isExpiredAt(exp.value, now)) fail("event-expired", "expired (OS-EXPIRY-3)");
  return e;
}

/** OS-BOOK-7: the host's winning manifest among the events, or null. */
async function winningManifest(ctx, events, now) {
  const d = await manifestDTag(ctx);
  let best = null;
  for (const raw of events) {
    try {
      if (!raw || !Array.isArray(raw.tags) || firstTag(raw, "d")?.[1] !== d) continue;
      const e = commonValid(ctx, raw, now);
      if (e.pubkey !== ctx.link.host) continue; // event-author
      const o = parseJson(await decrypt(ctx.keys.kEnc, e.content), { scalarStrings: true }).value;
      const m = manifestLists(o, ctx.link.roomId, e.pubkey);
      if (m && (!best || newer(e, best.event))) best = { event: e, manifest: m };
    } catch (err) {
      if (!(err instanceof OsError)) throw err;
    }
  }
  return best;
}

const num = (v) => (v !== null && typeof v === "object" && "value" in v ? v.value : v);

/** A manifest payload's lists (OS-BOOK-6), bound to room and host; null if it is not one. */
function manifestLists(o, roomId, host) {
  if (!o || num(o.v) !== 2 || o.role !== "manifest" || o.room !== roomId || o.author !== host) return null;
  if (![o.booked, o.held, o.refused, o.spent].every(Array.isArray)) return null;
  return {
    booked: o.booked.map((b) => ({ slot: num(b.slot), commits: [...b.commits] })),
    held: o.held.map((h) => ({ slot: num(h.slot), seats: num(h.seats), code: h.code })),
    refused: o.refused.map((r) => ({ commit: r.commit, code: r.code })),
    spent: [...o.spent],
  };
}

const EMPTY = { booked: [], held: [], refused: [], spent: [] };

/** OS-BOOK-6: the state of a commitment in a manifest. */
function stateOf(m, commit) {
  const slots = m.booked.filter((e) => e.commits.includes(commit)).map((e) => e.slot);
  if (slots.length) return { commit, state: "confirmed", slots };
  if (m.spent.includes(commit)) return { commit, state: "cancelled" };
  const r = m.refused.find((e) => e.commit === commit);
  if (r) return { commit, state: "refused", code: r.code };
  return { commit, state: "pending" };
}

/** join_room's `bookings` on a bookable v2 room; null when the room is not bookable and no receipt is asked. */
export async function joinBookings(link, resolved, events, receipts, now) {
  const { ctx } = link;
  const asked = receipts ?? [];
  if (!Array.isArray(asked) || !asked.every((r) => typeof r === "string")) badRequest("receipts is not a list of strings");
  let offer;
  try {
    offer = await offerOf(ctx, resolved.winner);
  } catch (err) {
    if (err instanceof OsError && asked.length === 0) return null;
    throw err;
  }
  const won = await winningManifest(ctx, events, now);
  const m = won ? won.manifest : EMPTY;
  return {
    cap: offer.cap,
    max: offer.max,
    booked: m.booked,
    held: m.held,
    refused: m.refused,
    spent: m.spent,
    manifest_event_id: won ? won.event.id : null,
    receipts: asked.map((n) => stateOf(m, commitment(ctx.link.roomId, n))),
  };
}

/** request_booking (adapter protocol §10.1). */
async function requestBooking(input) {
  const { relays, timeoutMs, now } = common(input);
  const link = await openLink(input);
  const { ctx } = link;
  notV1(ctx.profile);
  const deviceSecret = hex32(input, "device_secret");
  const slots = [...new Set(instants(input, "slots"))].sort((a, b) => a - b);
  for (const k of ["receipt", "reveal"]) {
    if (input[k] !== undefined && input[k] !== null && !isLowerHex(input[k], 32)) fail("book-nonce", `${k} is not 64 lower-case hex characters (OS-BOOK-3)`);
  }
  const receipt = input.receipt ?? undefined;
  const reveal = input.reveal ?? undefined;
  const nonce = hex32(input, "nonce");
  const auxRand = hex32(input, "aux_rand");
  const key = await signingKey(ctx.profile, deviceSecret, ctx.dTag);
  const { resolved, events } = await join(link, now, relays, timeoutMs);
  await offerOf(ctx, resolved.winner);
  const commit = receipt === undefined ? undefined : commitment(ctx.link.roomId, receipt);
  const payload = { v: 2, role: "booking", room: ctx.link.roomId, author: key.publicKey, seen: resolved.winner.event.id, slots };
  if (commit !== undefined) payload.commit = commit;
  if (reveal !== undefined) payload.reveal = reveal;
  const plaintext = JSON.stringify(payload);
  readRequest(plaintext, ctx.link.roomId, key.publicKey); // OS-BOOK-4 before anything is sent
  const conversationKey = nip44.utils.getConversationKey(hexToBytes(key.secretKey), ctx.link.host);
  const content = encrypt(conversationKey, plaintext, hexToBytes(nonce));
  const d = await requestDTag(ctx, key.publicKey);
  const createdAt = nextCreatedAt(now, previousCreatedAt(events, key.publicKey, d));
  const tags = [["d", d], ["a", ctx.address], ["t", "openslots"], ["expiration", String(expirationOf(resolved.winner))]];
  const event = sign({ created_at: createdAt, kind: KIND, tags, content }, key.secretKey, auxRand);
  return { ...(await publication(event, relays, timeoutMs)), commit: commit ?? null };
}

/** settle_bookings (adapter protocol §10.1): the host's client. */
async function settleBookings(input) {
  const { relays, timeoutMs, now } = common(input);
  const link = await openLink(input);
  const { ctx } = link;
  notV1(ctx.profile);
  const deviceSecret = hex32(input, "device_secret");
  const holds = input.holds ?? [];
  if (!Array.isArray(holds)) badRequest("holds is not a list");
  const nonce = hex32(input, "nonce");
  const auxRand = hex32(input, "aux_rand");
  const key = await signingKey(ctx.profile, deviceSecret, ctx.dTag);
  const { resolved, events } = await join(link, now, relays, timeoutMs);
  if (key.publicKey !== ctx.link.host) fail("event-author", "only the host's client settles bookings (OS-BOOK-7)");
  const offer = await offerOf(ctx, resolved.winner);
  // OS-BOOK-8: the valid requests (one per author is the procedure's choice).
  const requests = [];
  for (const raw of events) {
    try {
      if (!raw || typeof raw.pubkey !== "string" || !Array.isArray(raw.tags) || !isLowerHex(raw.pubkey, 32)) continue;
      if (firstTag(raw, "d")?.[1] !== (await requestDTag(ctx, raw.pubkey))) continue;
      const e = commonValid(ctx, raw, now);
      const ck = nip44.utils.getConversationKey(hexToBytes(key.secretKey), e.pubkey);
      const r = readRequest(await decrypt(ck, e.content), ctx.link.roomId, e.pubkey);
      requests.push({ id: e.id, author: e.pubkey, createdAt: e.created_at, ...r });
    } catch (err) {
      if (!(err instanceof OsError)) throw err;
    }
  }
  const previous = await winningManifest(ctx, events, now);
  const before = previous ? previous.manifest : EMPTY;
  const m = decide({
    roomId: ctx.link.roomId,
    now,
    offered: resolved.view.slots,
    cap: offer.cap,
    max: offer.max,
    previous: before,
    holds,
    requests,
  });
  const same = JSON.stringify(m) === JSON.stringify({ booked: before.booked, held: before.held, refused: before.refused, spent: before.spent });
  const roomNewer = previous !== null && resolved.winner.event.created_at > previous.event.created_at;
  const out = { booked: m.booked, held: m.held, refused: m.refused, spent: m.spent, changed: false };
  if (same && !roomNewer) return out;
  const d = await manifestDTag(ctx);
  const createdAt = nextCreatedAt(now, previousCreatedAt(events, key.publicKey, d));
  const content = encrypt(ctx.keys.kEnc, writeManifest(ctx.link.roomId, key.publicKey, m), hexToBytes(nonce));
  const tags = [["d", d], ["a", ctx.address], ["t", "openslots"], ["expiration", String(expirationOf(resolved.winner))]];
  const event = sign({ created_at: createdAt, kind: KIND, tags, content }, key.secretKey, auxRand);
  return { ...out, changed: true, ...(await publication(event, relays, timeoutMs)) };
}

export { requestBooking, settleBookings };
