// Blinded identifiers (spec §6): room and response d-tags per profile, and the
// length-prefixed framing of v2 (OS-BLIND-1 to OS-BLIND-5).

import { hmacSha256 } from "./kdf.mjs";
import { utf8, concat, toHex, hexToBytes } from "./bytes.mjs";

/** frame(f1, ..., fk) = u32be(len f1) || f1 || ... (OS-BLIND-5); string fields are UTF-8. */
export function frame(...fields) {
  const parts = [];
  for (const f of fields) {
    const b = typeof f === "string" ? utf8(f) : f;
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, b.length, false);
    parts.push(len, b);
  }
  return concat(...parts);
}

/** The message the room d-tag hashes. */
export function roomMessage(profile, roomId) {
  return profile === "v2" ? frame("openslots:v2:room", roomId) : utf8(roomId);
}

/** The message a response d-tag hashes (v1: `pubkey:eventId`, unframed; v2: framed with the key bytes). */
export function responseMessage(profile, roomId, authorHex, roomEventId) {
  return profile === "v2"
    ? frame("openslots:v2:response", roomId, hexToBytes(authorHex))
    : utf8(`${authorHex}:${roomEventId}`);
}

/** Room d-tag (OS-BLIND-1, OS-BLIND-3); `key` is K_hmac (v1) or K_blind (v2). */
export async function roomDTag(profile, key, roomId) {
  return toHex(await hmacSha256(key, roomMessage(profile, roomId)));
}

/** Response d-tag (OS-BLIND-2, OS-BLIND-4). */
export async function responseDTag(profile, key, roomId, authorHex, roomEventId) {
  return toHex(await hmacSha256(key, responseMessage(profile, roomId, authorHex, roomEventId)));
}
