// Key derivation (spec §5): HKDF-SHA256 and HMAC-SHA256 through WebCrypto
// (globalThis.crypto.subtle), the keys of a room per profile (OS-KDF-1 to
// OS-KDF-3) and the v2 per-room signing key (OS-KDF-5).

import { getPublicKey } from "nostr-tools/pure";
import { utf8, concat, toHex } from "./bytes.mjs";

const subtle = globalThis.crypto.subtle;
const SALT = utf8("openslots-hkdf-salt");
const SECP256K1_N = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

/** HKDF-SHA256(IKM, salt, info, L) [RFC 5869] with WebCrypto. */
export async function hkdf(ikm, salt, info, length = 32) {
  const key = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  const bits = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, length * 8);
  return new Uint8Array(bits);
}

/** HMAC-SHA256(key, message) [RFC 2104] with WebCrypto. */
export async function hmacSha256(key, message) {
  const k = await subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", k, message));
}

/** HKDF-Expand(PRK, info, L) [RFC 5869 §2.3] over WebCrypto HMAC (NIP-44 message keys, §7.2 step 2). */
export async function hkdfExpand(prk, info, length) {
  const out = [];
  let t = new Uint8Array(0);
  let n = 0;
  for (let i = 1; n < length; i++) {
    t = await hmacSha256(prk, concat(t, info, new Uint8Array([i])));
    out.push(t);
    n += t.length;
  }
  return concat(...out).slice(0, length);
}

/** The room keys of a profile: v1 {kEnc, kHmac} (OS-KDF-1, OS-KDF-2); v2 {kEnc, kBlind} (OS-KDF-3). */
export async function deriveKeys(roomKeyBytes, profile) {
  if (profile === "v2") {
    return {
      kEnc: await hkdf(roomKeyBytes, SALT, utf8("openslots:v2:encryption")),
      kBlind: await hkdf(roomKeyBytes, SALT, utf8("openslots:v2:blinding")),
    };
  }
  return {
    kEnc: await hkdf(roomKeyBytes, SALT, utf8("openslots:encryption")),
    kHmac: await hkdf(roomKeyBytes, SALT, utf8("openslots:hmac")),
  };
}

/** The v2 signing key of a device for a room (OS-KDF-5): {counter, secretKey, publicKey}. */
export async function deriveSigningKey(deviceSecret, roomDTag) {
  const salt = utf8("openslots:v2:signing-key");
  for (let c = 0; c < 256; c++) {
    const sk = await hkdf(deviceSecret, salt, concat(utf8(roomDTag), new Uint8Array([c])));
    const v = BigInt("0x" + toHex(sk));
    if (v > 0n && v < SECP256K1_N) return { counter: c, secretKey: toHex(sk), publicKey: getPublicKey(sk) };
  }
  throw new Error("no valid signing key among 256 candidates");
}
