// The client operations of adapter protocol §9: create_room, join_room,
// respond and update_room, over the relays given (OS-ADAPTER-13), on the
// clock and randomness of the request (OS-ADAPTER-12). Everything but the
// network comes from the adapter's other modules: links (§4), keys (§5),
// blinded ids (§6), payloads and masks (§8, §10), events (§11), expiry
// (§12) and resolution (§13, §14); the network is `net.mjs`.
//
// Order of work: every check that needs no relay (the link, the input, the
// room and the payload that can be built before joining) comes first, so an
// operation that fails for such a reason has sent nothing; then the join
// (query every relay, union, resolve); then the event is built and
// published to every relay, and the operation succeeds when one accepted it
// (OS-EVENT-12).

import { getPublicKey } from "nostr-tools/pure";
import { fail, badRequest } from "./errors.mjs";
import { isLowerHex, hexToBytes } from "./bytes.mjs";
import { parseLink, formatLink } from "./link.mjs";
import { deriveKeys, deriveSigningKey } from "./kdf.mjs";
import { roomDTag, responseDTag } from "./blind.mjs";
import { writeRoom, writeResponse } from "./payload.mjs";
import { roomFromSlots, chooseResponse } from "./mask.mjs";
import { KIND, roomContext, checkShape, checkIdAndSig, buildRoomEvent, buildResponseEvent, nextCreatedAt } from "./event.mjs";
import { resolveDetailed } from "./resolution.mjs";
import { readExpiration } from "./expiry.mjs";
import { hasWebSocket, query, publish } from "./net.mjs";
import { WRAP_CLIENT_OPERATIONS } from "./client-wrap.mjs";
import { createBookable, updateBookable, joinBookings, requestBooking, settleBookings } from "./client-booking.mjs";

const SECP256K1_N = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
const UUID_LOWER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---- input members (spec/schemas/adapter-client.schema.json) ----

export function hex32(input, name) {
  if (!isLowerHex(input[name], 32)) badRequest(`${name} is not 64 lower-case hex characters`);
  return input[name];
}

export function text(input, name) {
  if (typeof input[name] !== "string") badRequest(`${name} is not a string`);
  return input[name];
}

export function instants(input, name) {
  const v = input[name];
  if (!Array.isArray(v) || !v.every((t) => Number.isSafeInteger(t))) badRequest(`${name} is not a list of integers (Unix seconds)`);
  return v;
}

/** relays, timeout_ms and now, which every client operation carries. */
export function common(input) {
  const { relays, timeout_ms: timeoutMs, now } = input;
  if (!Array.isArray(relays) || !relays.every((r) => typeof r === "string")) badRequest("relays is not a list of URLs");
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) badRequest("timeout_ms is not a positive integer");
  if (!Number.isSafeInteger(now) || now < 0) badRequest("now is not a non-negative integer (Unix seconds)");
  return { relays, timeoutMs, now };
}

/** A v1 device secret is the secret key itself: it must be one (0 < sk < n). */
function secretKeyOf(hex) {
  const v = BigInt("0x" + hex);
  if (v === 0n || v >= SECP256K1_N) badRequest("device_secret is not a valid secp256k1 secret key");
  return hex;
}

/**
 * The signing key for a room (OS-ADAPTER-12): in v1 the device secret
 * itself; in v2 the per-room key of OS-KDF-5, derived from the device
 * secret and the room d-tag, so no two rooms share a key (OS-KDF-4).
 */
export async function signingKey(profile, deviceSecret, dTag) {
  if (profile === "v2") {
    const k = await deriveSigningKey(hexToBytes(deviceSecret), dTag);
    return { secretKey: k.secretKey, publicKey: k.publicKey };
  }
  const secretKey = secretKeyOf(deviceSecret);
  return { secretKey, publicKey: getPublicKey(hexToBytes(secretKey)) };
}

// ---- reading: the join (OS-RES-1, OS-RES-6, OS-RES-7) ----

/** The filters of OS-RES-6 for the room, and in v2 for the responses (sent at once). */
function roomFilters(ctx) {
  if (ctx.profile === "v2") {
    return [
      { kinds: [KIND], authors: [ctx.link.host], "#d": [ctx.dTag] },
      { kinds: [KIND], "#a": [ctx.address] },
    ];
  }
  return [{ kinds: [KIND], "#d": [ctx.dTag], "#t": ["openslots"] }];
}

/**
 * Queries every relay, unions what they returned and resolves it (§14.2).
 * v1 asks for the responses in a second round, with the winning room
 * event's id. Fails with `relay-unavailable` when no relay answered the
 * room query (no event, no EOSE), `room-not-found` when relays answered and
 * no room candidate is valid. Returns {resolved, events, statuses}.
 */
export async function join(link, now, relays, timeoutMs) {
  const first = await query(relays, roomFilters(link.ctx), timeoutMs);
  if (!first.answered) {
    fail("relay-unavailable", `no relay could be queried within ${timeoutMs} ms: ${describeStatuses(first.statuses)} (OS-RES-7)`);
  }
  let events = first.events;
  let statuses = first.statuses;
  let resolved = await resolveDetailed({ link: link.text, now, events });
  if (link.ctx.profile === "v1") {
    // The responses of the winning room event (OS-RES-6, v1). A relay that
    // fails this round leaves the room resolved from the first one.
    const second = await query(relays, [{ kinds: [KIND], "#e": [resolved.winner.event.id] }], timeoutMs);
    events = events.concat(second.events);
    statuses = statuses.concat(second.statuses);
    resolved = await resolveDetailed({ link: link.text, now, events });
  }
  return { resolved, events, statuses };
}

function describeStatuses(statuses) {
  return [...new Set(statuses.map((s) => `${s.relay} ${s.status}`))].join(", ") || "no relay given";
}

/** Parses the link before anything else (a link a client cannot read is refused, OS-LINK-3). */
export async function openLink(input) {
  const linkText = input.link;
  if (typeof linkText !== "string") badRequest("link is not a string");
  const ctx = await roomContext(linkText); // link-* codes
  return { text: linkText, ctx };
}

/**
 * OS-EVENT-9: the greatest created_at among this key's own versions of one
 * address in what the relays returned. Only events whose id and signature
 * verify count: an event signed by the key is the key holder's own, while
 * an unsigned claim could push the clock forward.
 */
export function previousCreatedAt(events, pubkey, dTag) {
  let previous = null;
  for (const raw of events) {
    let e;
    try {
      e = checkShape(raw);
      if (e.kind !== KIND || e.pubkey !== pubkey) continue;
      const d = e.tags.find((t) => t[0] === "d");
      if (!d || d[1] !== dTag) continue;
      checkIdAndSig(e);
    } catch {
      continue;
    }
    if (previous === null || e.created_at > previous) previous = e.created_at;
  }
  return previous;
}

// ---- writing: publication (OS-EVENT-12) ----

/** Publishes to every relay given; fails with publish-failed when none accepted. */
export async function publication(event, relays, timeoutMs) {
  const published = await publish(relays, event, timeoutMs);
  if (!published.some((p) => p.outcome === "accepted")) {
    const detail = published.map((p) => `${p.relay} ${p.outcome}${p.message === null ? "" : ` (${p.message})`}`).join(", ");
    fail("publish-failed", `no relay accepted event ${event.id}: ${detail || "no relay given"} (OS-EVENT-12)`);
  }
  return { event_id: event.id, pubkey: event.pubkey, created_at: event.created_at, published };
}

// ---- the operations ----

async function createRoom(input, profile) {
  if (profile !== "v1" && profile !== "v2") badRequest("create_room needs the profile v1 or v2");
  const { relays, timeoutMs, now } = common(input);
  const origin = text(input, "origin");
  const roomId = text(input, "room_id");
  const roomKey = hex32(input, "room_key");
  const deviceSecret = hex32(input, "device_secret");
  const title = text(input, "title");
  const slots = instants(input, "slots");
  const nonce = hex32(input, "nonce");
  const auxRand = hex32(input, "aux_rand");
  // The link (§4.1): writers use the canonical form only (OS-LINK-2, OS-LINK-9).
  if (!UUID_LOWER.test(roomId)) fail("link-room-id", "room_id is not a canonical lower-case UUID (OS-LINK-2)");
  const keys = await deriveKeys(hexToBytes(roomKey), profile);
  const dTag = await roomDTag(profile, profile === "v2" ? keys.kBlind : keys.kHmac, roomId);
  const key = await signingKey(profile, deviceSecret, dTag);
  const link = formatLink({ profile, origin, roomId, roomKey, host: key.publicKey });
  const parsed = parseLink(link);
  if (formatLink(parsed) !== link) fail("link-syntax", "the origin does not give a canonical link (§4.1)");
  // The room (OS-MASK-4, OS-PAYLOAD-9, OS-CIPHER-9) before anything is sent.
  const room = roomFromSlots(profile, slots);
  const event = (await buildRoomEvent({ link, secretKey: key.secretKey, title, start: room.start, mask: room.mask, createdAt: now, nonce, auxRand })).event;
  return { link, ...(await publication(event, relays, timeoutMs)) };
}

async function joinRoom(input) {
  const { relays, timeoutMs, now } = common(input);
  const link = await openLink(input);
  const { resolved, statuses, events } = await join(link, now, relays, timeoutMs);
  const v = resolved.view;
  const bookings = await joinBookings(link, resolved, events, input.receipts, now); // §10.1
  return {
    ...(bookings ? { bookings } : {}),
    room_event_id: v.roomEventId,
    host: v.host,
    created_at: resolved.winner.event.created_at,
    title: v.title,
    slots: v.slots,
    participants: v.participants.map((p) => ({ pubkey: p.pubkey, name: p.name, available: p.available })),
    counts: v.counts,
    rejected: v.rejected.map((r) => ({ id: r.id, code: r.error })),
    relays: statuses,
  };
}

async function respond(input) {
  const { relays, timeoutMs, now } = common(input);
  const link = await openLink(input);
  const { ctx } = link;
  const deviceSecret = hex32(input, "device_secret");
  const name = text(input, "name");
  const available = instants(input, "available");
  const nonce = hex32(input, "nonce");
  const auxRand = hex32(input, "aux_rand");
  const key = await signingKey(ctx.profile, deviceSecret, ctx.dTag);
  // The payload limits that do not depend on the room (OS-PAYLOAD-9).
  writeResponse(ctx.profile, { name, start: 0, mask: "1", roomId: ctx.link.roomId, author: key.publicKey });
  const { resolved, events } = await join(link, now, relays, timeoutMs);
  const { winner } = resolved;
  // OS-MASK-10: exactly the offered slots chosen, on the winning version's
  // grid (v2: its start and n, so the response reads in room coordinates).
  const mask = chooseResponse(winner.mask, winner.start, available);
  const roomEventId = winner.event.id;
  const dTag = await responseDTag(ctx.profile, ctx.blindKey, ctx.link.roomId, key.publicKey, roomEventId);
  const createdAt = nextCreatedAt(now, previousCreatedAt(events, key.publicKey, dTag));
  // OS-EXPIRY-4: the winning room event's own expiration value, copied (v2
  // rooms always carry one, OS-EVENT-10); v1 writes none.
  const expiration = readExpiration(winner.event.tags).value;
  const event = (
    await buildResponseEvent({
      link: link.text,
      secretKey: key.secretKey,
      name,
      start: winner.start,
      mask,
      roomEventId,
      expiration,
      createdAt,
      nonce,
      auxRand,
    })
  ).event;
  return publication(event, relays, timeoutMs);
}

async function updateRoom(input) {
  const { relays, timeoutMs, now } = common(input);
  const link = await openLink(input);
  const { ctx } = link;
  const deviceSecret = hex32(input, "device_secret");
  const title = text(input, "title");
  const slots = instants(input, "slots");
  const nonce = hex32(input, "nonce");
  const auxRand = hex32(input, "aux_rand");
  const key = await signingKey(ctx.profile, deviceSecret, ctx.dTag);
  if (ctx.profile === "v2" && key.publicKey !== ctx.link.host) {
    fail("event-author", "this device's key for the room is not the link's host key: only the host writes a v2 room (OS-EVENT-11)");
  }
  // The new version is checked before the network (OS-MASK-4, OS-PAYLOAD-9).
  const room = roomFromSlots(ctx.profile, slots);
  writeRoom(ctx.profile, { title, start: room.start, mask: room.mask, roomId: ctx.link.roomId, author: key.publicKey });
  const { events } = await join(link, now, relays, timeoutMs);
  const createdAt = nextCreatedAt(now, previousCreatedAt(events, key.publicKey, ctx.dTag));
  const event = (await buildRoomEvent({ link: link.text, secretKey: key.secretKey, title, start: room.start, mask: room.mask, createdAt, nonce, auxRand })).event;
  return publication(event, relays, timeoutMs);
}

/** Thrown when the platform has no WebSocket; the adapter answers `unsupported`. */
export class NoWebSocket extends Error {}

function needsNetwork(op) {
  return async (input, profile) => {
    if (!hasWebSocket()) {
      throw new NoWebSocket(
        `this Node (${process.version}) has no global WebSocket: run the adapter with \`node --experimental-websocket\` (Node 20) or on Node 22 or later`,
      );
    }
    return op(input, profile);
  };
}

/** The client operations of adapter protocol §9. */
export const CLIENT_OPERATIONS = {
  create_room: needsNetwork((input, profile) => (input?.book != null ? createBookable(input, profile) : createRoom(input, profile))),
  join_room: needsNetwork(joinRoom),
  respond: needsNetwork(respond),
  update_room: needsNetwork((input, profile) => (input?.book != null ? updateBookable(input, profile) : updateRoom(input, profile))),
  publish_wrapper_set: needsNetwork(WRAP_CLIENT_OPERATIONS.publish_wrapper_set),
  join_group: needsNetwork(WRAP_CLIENT_OPERATIONS.join_group),
  request_booking: needsNetwork(requestBooking),
  settle_bookings: needsNetwork(settleBookings),
};
