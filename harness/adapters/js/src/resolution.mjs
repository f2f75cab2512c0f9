// Resolution (spec §14) with last-write-wins (spec §13): link, now and the
// events relays returned to one view of the room, by the algorithm of §14.2.

import { OsError, fail } from "./errors.mjs";
import { roomContext, readEvent } from "./event.mjs";
import { offsetPositions, rebase, instants } from "./mask.mjs";

/** OS-LWW-1: greatest created_at, then lowest id. */
function newer(a, b) {
  if (a.created_at !== b.created_at) return a.created_at > b.created_at;
  return a.id < b.id;
}

const hasTag = (e, name, value) => Array.isArray(e?.tags) && e.tags.some((t) => Array.isArray(t) && t[0] === name && t[1] === value);

/**
 * The rejected list of §14.2 (the paragraph after the steps): it names event
 * ids, each once, and leaves out an id that has a valid copy (a forged copy
 * of a valid event is not another event). When several copies of one id fail,
 * the first failure read is listed (the spec leaves the choice open).
 */
function listedRejections(rejected, validIds) {
  const byId = new Map();
  for (const r of rejected) {
    if (!validIds.has(r.id) && !byId.has(r.id)) byId.set(r.id, r);
  }
  return [...byId.values()];
}

/** resolve: the output of OS-RES-4, or room-not-found. */
export async function resolve(input) {
  return (await resolveDetailed(input)).view;
}

/**
 * §14.2 with what a client needs besides the view of OS-RES-4: the room
 * context, the winning room version ({event, title, start, mask}) and the
 * winning response per author.
 */
export async function resolveDetailed({ link, now, events }) {
  const ctx = await roomContext(link); // 1
  // 2. exact duplicates
  const seen = new Set();
  const unique = [];
  for (const e of Array.isArray(events) ? events : []) {
    const key = JSON.stringify([e?.id, e?.pubkey, e?.created_at, e?.kind, e?.tags, e?.content, e?.sig], (_, v) => (typeof v === "bigint" ? `${v}n` : v));
    if (!seen.has(key)) {
      seen.add(key);
      unique.push(e);
    }
  }
  // Failures by event id (steps 4 and 8); the ids of valid copies.
  const rejected = [];
  const validIds = new Set();
  // OS-LWW-7: the events rejected only for their expiry (they passed every
  // earlier check of §11.4, so they are authentic), by role.
  const expired = { room: [], response: [] };
  const attempt = async (e, role, room) => {
    try {
      const payload = await readEvent(e, role, ctx, now, room);
      validIds.add(e.id);
      return payload;
    } catch (err) {
      if (!(err instanceof OsError)) throw err;
      // §14.2: listed under its id member when that is a string
      if (typeof e?.id === "string") rejected.push({ id: e.id, error: err.code });
      if (err.code === "event-expired") expired[role].push(e);
      return null;
    }
  };
  // OS-LWW-7: whether an expired version outranks `event` (OS-LWW-1).
  const endedBy = (list, event) => list.some((t) => newer(t, event));
  // 3-6. room candidates, checked, then last-write-wins across authors (v1) or the host's address (v2)
  const roomCandidates = unique.filter((e) => hasTag(e, "d", ctx.dTag));
  let winner = null;
  const superseded = [];
  for (const e of roomCandidates) {
    const payload = await attempt(e, "room");
    if (!payload) continue;
    const v = { event: e, ...payload };
    if (!winner) winner = v;
    else if (newer(e, winner.event)) {
      superseded.push(winner.event.id);
      winner = v;
    } else superseded.push(e.id);
  }
  // OS-LWW-7: a newer expired version ends the older ones (v1: across authors)
  if (winner && endedBy(expired.room, winner.event)) {
    superseded.push(winner.event.id);
    winner = null;
  }
  if (!winner) fail("room-not-found", "no room candidate is valid (OS-RES-2), or a newer version has expired (OS-LWW-7)");
  // 7-9. response candidates against the winner, then last-write-wins per author
  const responseCandidates = unique.filter((e) => !hasTag(e, "d", ctx.dTag)
    && (ctx.profile === "v2" ? hasTag(e, "a", ctx.address) : hasTag(e, "e", winner.event.id)));
  const perAuthor = new Map();
  for (const e of responseCandidates) {
    let payload = await attempt(e, "response", winner);
    if (!payload) continue;
    if (ctx.profile === "v2") {
      try {
        payload = { ...payload, k: offsetPositions(payload.start, winner.start) };
      } catch (err) {
        if (!(err instanceof OsError)) throw err;
        rejected.push({ id: e.id, error: err.code });
        validIds.delete(e.id);
        continue;
      }
    }
    const prev = perAuthor.get(e.pubkey);
    if (!prev) perAuthor.set(e.pubkey, { event: e, ...payload });
    else if (newer(e, prev.event)) {
      superseded.push(prev.event.id);
      perAuthor.set(e.pubkey, { event: e, ...payload });
    } else superseded.push(e.id);
  }
  // OS-LWW-7: an author's newer expired response ends the older ones
  for (const [author, r] of [...perAuthor]) {
    if (endedBy(expired.response.filter((t) => t.pubkey === author), r.event)) {
      superseded.push(r.event.id);
      perAuthor.delete(author);
    }
  }
  // 10-12. availability, counts, output
  const slots = instants(winner.start, winner.mask);
  const participants = [...perAuthor.values()]
    .map((r) => ({
      pubkey: r.event.pubkey,
      eventId: r.event.id,
      name: r.name,
      available: instants(winner.start, rebase(winner.mask, r.mask, r.k ?? 0n)),
    }))
    .sort((a, b) => (a.pubkey < b.pubkey ? -1 : a.pubkey > b.pubkey ? 1 : 0));
  const counts = slots.map((t) => participants.filter((p) => p.available.includes(t)).length);
  const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const view = {
    roomEventId: winner.event.id,
    host: winner.event.pubkey,
    title: winner.title,
    slots,
    participants,
    counts,
    rejected: listedRejections(rejected, validIds).sort(byId),
    superseded: [...new Set(superseded)].sort(),
  };
  return { view, ctx, winner, perAuthor };
}
