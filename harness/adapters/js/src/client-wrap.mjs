// The member access client operations of adapter protocol §11.1, written
// from spec §19.2 and the adapter protocol's text: publish_wrapper_set (the
// host's wrapper set of the current epoch, OS-WRAP-16, OS-WRAP-18) and
// join_group (reading the set over relays as §19.2.4 says, OS-WRAP-17, and
// opening the member's wrapper, OS-WRAP-13). Stateless: the host's group id,
// device secret, schedule, salt, LOG_N, epoch secret, the members'
// intermediates and every random value come in the request (OS-ADAPTER-12).
// The bytes of wrappers and sets are wrap.mjs's; the network is net.mjs.

import { getEventHash } from "nostr-tools/pure";
import { schnorr } from "@noble/curves/secp256k1.js";
import { fail, badRequest, OsError } from "./errors.mjs";
import { isLowerHex, hexToBytes, toHex, concat, encodeBase64 } from "./bytes.mjs";
import { deriveSigningKey } from "./kdf.mjs";
import { KIND, checkShape, checkIdAndSig, nextCreatedAt } from "./event.mjs";
import { readExpiration, isExpiredAt } from "./expiry.mjs";
import { query, publish } from "./net.mjs";
import * as wrap from "./wrap.mjs";

function hexN(input, name, n) {
  if (!isLowerHex(input[name], n)) badRequest(`${name} is not ${2 * n} lower-case hex characters`);
  return hexToBytes(input[name]);
}

function u64(input, name) {
  const v = input[name];
  if (typeof v === "bigint" && v >= 0n) return v;
  if (Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  badRequest(`${name} is not a non-negative integer`);
}

function common(input) {
  const { relays, timeout_ms: timeoutMs, now } = input;
  if (!Array.isArray(relays) || !relays.every((r) => typeof r === "string")) badRequest("relays is not a list of URLs");
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) badRequest("timeout_ms is not a positive integer");
  if (!Number.isSafeInteger(now) || now < 0) badRequest("now is not a non-negative integer (Unix seconds)");
  return { relays, timeoutMs, now };
}

function cmpBytes(a, b) {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
}

function u64be(x) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, x, false);
  return b;
}

/** OS-WRAP-17: the query of the set's address. */
async function candidates(relays, timeoutMs, host, dTag) {
  const got = await query(relays, [{ kinds: [KIND], authors: [host], "#d": [dTag] }], timeoutMs);
  if (!got.answered) fail("relay-unavailable", "no relay could be queried (OS-RES-7)");
  return got.events;
}

/**
 * §19.2.4 step 1 for one candidate: §11.4 steps 1 to 7 with the host key
 * and D, then the content (OS-WRAP-12), the expiration value (OS-WRAP-17)
 * and the epoch's window (OS-WRAP-14). Returns {e, epoch, ws}.
 */
function readCandidate(raw, inv, now) {
  const e = checkShape(raw);
  if (e.kind !== KIND) fail("event-kind", `kind ${e.kind} (OS-EVENT-1)`);
  checkIdAndSig(e);
  const d = e.tags.find((t) => t[0] === "d");
  if (!d || d[1] !== inv.dTag) fail("event-tag", "the first d tag is not the set's d-tag (OS-EVENT-10)");
  if (!e.tags.some((t) => t[0] === "t" && t[1] === "openslots")) fail("event-tag", "no t tag names openslots (OS-EVENT-10)");
  const exp = readExpiration(e.tags);
  if (exp.value === null) fail("event-tag", "the expiration tag is missing or malformed (OS-EVENT-10)");
  if (e.pubkey !== inv.host) fail("event-author", "a wrapper set must be authored by the group's host key (OS-WRAP-16)");
  if (isExpiredAt(exp.value, now)) fail("event-expired", `expired at ${exp.value} (OS-EXPIRY-2)`);
  const { epoch, ws } = wrap.parseSet(e.content);
  let end = null;
  try {
    end = wrap.window(inv.rotate, inv.margin, epoch).end;
  } catch {
    end = null; // an epoch whose window end overflows matches no expiration
  }
  if (end === null || end !== exp.value) fail("wrap-set", "the expiration is not e × R + CACHE_TIME of the set's epoch (OS-WRAP-17)");
  wrap.checkEpoch(inv.rotate, inv.margin, epoch, BigInt(now));
  return { e, epoch, ws };
}

/** OS-LWW-1: later created_at wins; on a tie the lower id. */
function beats(a, b) {
  if (a.created_at !== b.created_at) return a.created_at > b.created_at;
  return a.id < b.id;
}

async function joinGroup(input) {
  const { relays, timeoutMs, now } = common(input);
  const group = hexN(input, "group_id", 32);
  if (!isLowerHex(input.host, 32)) badRequest("host is not 64 lower-case hex characters");
  const rotate = u64(input, "rotate");
  const margin = u64(input, "margin");
  if (typeof input.passphrase !== "string") badRequest("passphrase is not a string");
  wrap.window(rotate, margin, 0n); // wrap-params
  const inv = { group, host: input.host, rotate, margin, dTag: wrap.setDTag(group) };
  const events = await candidates(relays, timeoutMs, inv.host, inv.dTag);
  let best = null;
  const failed = new Map();
  const valid = new Set();
  for (const raw of events) {
    try {
      const c = readCandidate(raw, inv, now);
      valid.add(c.e.id);
      if (best === null || beats(c.e, best.e)) best = c;
    } catch (err) {
      if (!(err instanceof OsError)) throw err;
      const id = typeof raw?.id === "string" ? raw.id : "";
      if (!failed.has(id)) failed.set(id, err.code);
    }
  }
  if (best === null) fail("wrap-no-set", "no wrapper set survived validation (OS-WRAP-17)");
  const rejected = [...failed].filter(([id]) => !valid.has(id)).map(([id, code]) => ({ id, code }));
  // §19.2.4 steps 3 to 5: one derivation, the locator, the one wrapper.
  const first = best.ws[0];
  const i = wrap.deriveIntermediate(input.passphrase, first.subarray(2, 18), first[1]);
  const { locator } = wrap.memberKeys(i, group, best.epoch);
  const mine = best.ws.find((w) => cmpBytes(w.subarray(42, 58), locator) === 0);
  if (!mine) fail("wrap-not-member", "no wrapper carries this member's locator (OS-WRAP-13)");
  const secret = wrap.open(i, group, best.epoch, mine);
  return {
    event_id: best.e.id,
    created_at: best.e.created_at,
    epoch: best.epoch,
    locator: toHex(locator),
    epoch_secret: toHex(secret),
    rejected,
  };
}

async function publishWrapperSet(input) {
  const { relays, timeoutMs, now } = common(input);
  const group = hexN(input, "group_id", 32);
  const deviceSecret = hexN(input, "device_secret", 32);
  const salt = hexN(input, "salt", 16);
  const epochSecret = hexN(input, "epoch_secret", 32);
  const auxRand = hexN(input, "aux_rand", 32);
  const rotate = u64(input, "rotate");
  const margin = u64(input, "margin");
  const logN = input.log_n;
  const { intermediates, wrapper_nonces: nonces } = input;
  if (!Array.isArray(intermediates) || !intermediates.every((x) => isLowerHex(x, 32))) badRequest("intermediates is not a list of 32-byte hex values");
  if (!Array.isArray(nonces) || !nonces.every((x) => isLowerHex(x, 24)) || nonces.length !== intermediates.length) {
    badRequest("wrapper_nonces is not one 24-byte hex value per intermediate");
  }
  // OS-WRAP-18: the current epoch floor(now / R); the schedule first (wrap-params).
  if (rotate < 1n) fail("wrap-params", "ROTATE_TIME must be at least 1 (OS-WRAP-14)");
  const epoch = BigInt(now) / rotate;
  wrap.window(rotate, margin, epoch);
  wrap.checkLogN(logN);
  if (intermediates.length < 1 || intermediates.length > 512) fail("wrap-set", "a set holds 1 to 512 wrappers (OS-WRAP-12)");
  const ws = intermediates.map((x, k) => wrap.seal(hexToBytes(x), group, epoch, salt, logN, hexToBytes(nonces[k]), epochSecret));
  ws.sort((a, b) => cmpBytes(a.subarray(42, 58), b.subarray(42, 58)));
  for (let k = 1; k < ws.length; k++) {
    if (cmpBytes(ws[k - 1].subarray(42, 58), ws[k].subarray(42, 58)) === 0) fail("wrap-set", "two members have the same locator (OS-WRAP-12)");
  }
  const content = encodeBase64(concat(u64be(epoch), ...ws));
  const dTag = wrap.setDTag(group);
  // The group's own key (OS-WRAP-20): OS-KDF-5 with D in place of the room d-tag.
  const key = await deriveSigningKey(deviceSecret, dTag);
  const found = await candidates(relays, timeoutMs, key.publicKey, dTag);
  let previous = null;
  for (const raw of found) {
    try {
      const e = checkShape(raw);
      if (e.kind !== KIND || e.pubkey !== key.publicKey) continue;
      const d = e.tags.find((t) => t[0] === "d");
      if (!d || d[1] !== dTag) continue;
      checkIdAndSig(e);
      if (previous === null || e.created_at > previous) previous = e.created_at;
    } catch {
      continue;
    }
  }
  const createdAt = nextCreatedAt(now, previous);
  // A host never writes an ended epoch (OS-WRAP-18).
  const { end } = wrap.checkEpoch(rotate, margin, epoch, BigInt(createdAt));
  const template = {
    kind: KIND,
    created_at: createdAt,
    tags: [["d", dTag], ["t", "openslots"], ["expiration", end.toString()]],
    content,
    pubkey: key.publicKey,
  };
  const id = getEventHash(template);
  const sig = toHex(schnorr.sign(hexToBytes(id), hexToBytes(key.secretKey), auxRand));
  const event = { id, pubkey: key.publicKey, created_at: createdAt, kind: KIND, tags: template.tags, content, sig };
  const published = await publish(relays, event, timeoutMs);
  if (!published.some((p) => p.outcome === "accepted")) {
    fail("publish-failed", `no relay accepted event ${id} (OS-EVENT-12)`);
  }
  return { event_id: id, pubkey: event.pubkey, created_at: createdAt, published, epoch };
}

/** The member access client operations (adapter protocol §11.1), unwrapped. */
export const WRAP_CLIENT_OPERATIONS = {
  publish_wrapper_set: publishWrapperSet,
  join_group: joinGroup,
};
