// Payload encryption (spec §7): NIP-44 version 2 from nostr-tools, with K_enc
// as the conversation key (OS-CIPHER-2), wrapped in the checks and the check
// order of §7.3 so that each failure gets its §15 code. nostr-tools 2.25.2
// differs from the spec in three places this module covers (README,
// "Divergences"): it encrypts plaintexts above 65535 bytes (an extended
// length prefix), it checks the payload length before the `#` prefix, and it
// decodes invalid UTF-8 to U+FFFD instead of rejecting it.

import { v2 as nip44 } from "nostr-tools/nip44";
import { chacha20 } from "@noble/ciphers/chacha.js";
import { fail } from "./errors.mjs";
import { utf8, decodeCanonicalBase64 } from "./bytes.mjs";
import { hkdfExpand } from "./kdf.mjs";

const fatalDecoder = new TextDecoder("utf-8", { fatal: true });

/** §7.2: encrypts a string under K_enc with the given 32-byte nonce. */
export function encrypt(kEnc, plaintext, nonce) {
  const len = utf8(plaintext).length;
  if (len < 1 || len > 65535) fail("cipher-plaintext-length", `plaintext of ${len} bytes; NIP-44 takes 1 to 65535 (OS-CIPHER-9)`);
  return nip44.encrypt(plaintext, kEnc, nonce);
}

/** §7.3: decrypts a payload under K_enc to a string, or fails with one cipher-* code. */
export async function decrypt(kEnc, payload) {
  if (typeof payload !== "string" || payload.length === 0 || payload[0] === "#") fail("cipher-version", "empty payload or leading '#' (OS-CIPHER-4)");
  const chars = [...payload].length;
  if (chars < 132 || chars > 87472) fail("cipher-length", `payload of ${chars} characters; 132 to 87472 allowed (OS-CIPHER-5)`);
  const data = decodeCanonicalBase64(payload);
  if (data === null) fail("cipher-base64", "not canonical padded standard base64 (OS-CIPHER-6)");
  if (data.length < 99 || data.length > 65603) fail("cipher-length", `decoded payload of ${data.length} bytes; 99 to 65603 allowed (OS-CIPHER-5)`);
  if (data[0] !== 2) fail("cipher-version", `version byte ${data[0]} (OS-CIPHER-4)`);
  let plaintext;
  try {
    plaintext = nip44.decrypt(payload, kEnc);
  } catch (e) {
    const m = String(e?.message ?? e);
    if (/invalid MAC/i.test(m)) fail("cipher-mac", "MAC mismatch (OS-CIPHER-7)");
    if (/padding/i.test(m)) fail("cipher-padding", "bad length prefix or padded length (OS-CIPHER-8)");
    throw e;
  }
  // nostr-tools decodes with a non-fatal TextDecoder: look at the raw bytes
  // whenever a replacement character shows up (OS-CIPHER-10).
  if (plaintext.includes("\uFFFD")) {
    const raw = await rawPlaintext(kEnc, data);
    try {
      fatalDecoder.decode(raw);
    } catch {
      fail("cipher-utf8", "the plaintext is not UTF-8 (OS-CIPHER-10)");
    }
  }
  return plaintext;
}

/** The plaintext bytes of an already authenticated payload (§7.3 steps 6 and 7). */
async function rawPlaintext(kEnc, data) {
  const nonce = data.subarray(1, 33);
  const ciphertext = data.subarray(33, data.length - 32);
  const keys = await hkdfExpand(kEnc, nonce, 76);
  const padded = chacha20(keys.subarray(0, 32), keys.subarray(32, 44), ciphertext);
  const len = (padded[0] << 8) | padded[1];
  return padded.subarray(2, 2 + len);
}
