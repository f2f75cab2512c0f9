// Room links (spec §4): parsing by the algorithm of §4.3, one error code per
// failure, and the canonical writer of §4.1.

import { schnorr } from "@noble/curves/secp256k1.js";
import { fail } from "./errors.mjs";
import { hexToBytes } from "./bytes.mjs";

const UUID_LOWER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Number of Unicode scalar values (spec §4.3 counts lengths in characters). */
function chars(s) {
  return [...s].length;
}

/** True when the 64 lower-case hex characters are an x coordinate for which BIP-340 lift_x succeeds. */
export function isValidXOnlyKey(hex) {
  if (!/^[0-9a-f]{64}$/.test(hex)) return false;
  try {
    schnorr.utils.lift_x(BigInt("0x" + hex));
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses a room link (§4.3). Returns {profile, origin, roomId, roomKey (hex,
 * lower case), roomKeyBytes, host?}.
 */
export function parseLink(link) {
  if (typeof link !== "string") fail("link-syntax", "the link is not a string");
  // 1. exactly one '#'
  const parts = link.split("#");
  if (parts.length !== 2) fail("link-syntax", "the link must contain exactly one '#' (OS-LINK-1)");
  const [L, F] = parts;
  // 2. printable ASCII, no '?', no '\'
  for (const c of L) {
    const cp = c.codePointAt(0);
    if (cp < 0x21 || cp > 0x7e || c === "?" || c === "\\") fail("link-syntax", "the part before '#' has a character that is not allowed (OS-LINK-1)");
  }
  // 3. scheme and authority
  let rest;
  let scheme;
  if (L.startsWith("https://")) [scheme, rest] = ["https://", L.slice(8)];
  else if (L.startsWith("http://")) [scheme, rest] = ["http://", L.slice(7)];
  else fail("link-syntax", "the link must start with http:// or https:// (OS-LINK-1)");
  const slash = rest.indexOf("/");
  if (slash <= 0) fail("link-syntax", "empty authority or no path (OS-LINK-1)");
  const authority = rest.slice(0, slash);
  const path = rest.slice(slash);
  // 4. path segments: .../room/<room-id>
  const segs = path.split("/").slice(1);
  if (segs.length < 2 || segs[segs.length - 2] !== "room") fail("link-syntax", "the path must end in /room/<room-id> (OS-LINK-1)");
  const roomId = segs[segs.length - 1];
  const prefix = segs.slice(0, -2);
  const origin = scheme + authority + (prefix.length ? "/" + prefix.join("/") : "");
  // 5. profile (OS-LINK-7)
  let profile = "v1";
  const versioned = /^v([0-9]+)\./.exec(F);
  if (versioned) {
    if (versioned[1] !== "2") fail("link-version", `the fragment names version ${versioned[1]} (OS-LINK-7)`);
    profile = "v2";
  }
  // 6. room id (OS-LINK-2). An upper-case v1 room id is acceptable either
  // way; this reader takes the rejecting side, as the reference does, so
  // that a link with a second fault gets the same code (OS-LINK-10).
  if (!UUID_LOWER.test(roomId)) fail("link-room-id", "the room id is not a canonical lower-case UUID (OS-LINK-2)");
  if (profile === "v1") {
    // 7. v1 key (OS-LINK-3, OS-LINK-4); upper case is acceptable either way,
    // and this reader rejects it, as the reference does
    if (chars(F) !== 64) fail("link-key-length", `the room key has ${chars(F)} characters, not 64 (OS-LINK-3)`);
    if (!/^[0-9a-f]{64}$/.test(F)) fail("link-key-encoding", "the room key is not lower-case hexadecimal (OS-LINK-4)");
    const roomKey = F;
    return { profile, origin, roomId, roomKey, roomKeyBytes: hexToBytes(roomKey) };
  }
  // 8. v2 fragment (OS-LINK-5, OS-LINK-6)
  const f = F.split(".");
  if (f.length !== 3 || f[0] !== "v2") fail("link-syntax", "a v2 fragment is v2.<room key>.<host key> (OS-LINK-5)");
  const [, K, P] = f;
  if (chars(K) !== 64) fail("link-key-length", `the room key has ${chars(K)} characters, not 64 (OS-LINK-5)`);
  if (!/^[0-9a-f]{64}$/.test(K)) fail("link-key-encoding", "the room key is not lower-case hexadecimal (OS-LINK-5)");
  if (!isValidXOnlyKey(P)) fail("link-host-key", "the host key is not a valid x-only public key (OS-LINK-6)");
  return { profile, origin, roomId, roomKey: K, roomKeyBytes: hexToBytes(K), host: P };
}

/** The canonical link of §4.1. */
export function formatLink({ profile, origin, roomId, roomKey, host }) {
  const fragment = profile === "v2" ? `v2.${roomKey}.${host}` : roomKey;
  return `${origin}/room/${roomId}#${fragment}`;
}
