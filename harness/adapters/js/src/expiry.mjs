// Expiry (spec §12, NIP-40): the first `expiration` tag counts; its value is
// a timestamp only as 1 to 20 ASCII digits fitting u64; anything else means
// "never expires"; expired iff expiration < now (OS-EXPIRY-1, OS-EXPIRY-2).
// nostr-tools' nip40 reads the value with parseInt and compares with the wall
// clock in milliseconds, so it is not used here (README, "Divergences").

const U64_MAX = (1n << 64n) - 1n;

/** The first expiration tag: {present, value: BigInt|null}. */
export function readExpiration(tags) {
  const tag = tags.find((t) => Array.isArray(t) && t[0] === "expiration");
  if (!tag) return { present: false, value: null };
  const v = tag[1];
  if (typeof v === "string" && /^[0-9]{1,20}$/.test(v)) {
    const n = BigInt(v);
    if (n <= U64_MAX) return { present: true, value: n };
  }
  return { present: true, value: null };
}

/**
 * get_expiration: {expiration: BigInt|null, expired}. The value stays a
 * BigInt so that the answer carries it exactly (u64::MAX is not a double).
 */
export function getExpiration(tags, now) {
  const { value } = readExpiration(tags);
  return { expiration: value, expired: isExpiredAt(value, now) };
}

/** OS-EXPIRY-2: expired iff expiration < now. */
export function isExpiredAt(value, now) {
  return value !== null && value < BigInt(now);
}
