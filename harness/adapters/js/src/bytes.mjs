// Byte-string helpers: strict lower-case hex, UTF-8 (lone surrogates become
// U+FFFD as OS-BLIND-5 requires, which is what TextEncoder does), canonical
// padded standard base64 (OS-CIPHER-6, OS-MASK-5).

const encoder = new TextEncoder();

/** UTF-8 bytes of a string; lone surrogates are written as U+FFFD (OS-BLIND-5). */
export function utf8(s) {
  return encoder.encode(s);
}

/** True when s is exactly 2*n lower-case hexadecimal characters (any n when n is undefined). */
export function isLowerHex(s, nBytes) {
  if (typeof s !== "string") return false;
  if (nBytes !== undefined && s.length !== nBytes * 2) return false;
  return s.length % 2 === 0 && /^[0-9a-f]*$/.test(s);
}

/** Decodes lower-case hex; the caller has checked it. */
export function hexToBytes(s) {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Lower-case hex of bytes. */
export function toHex(bytes) {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Concatenation of byte arrays. */
export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Decodes canonical padded standard base64 (RFC 4648 §4): only A-Z a-z 0-9 + /,
 * a length that is a multiple of 4, `=` only as the last one or two
 * characters, and zero unused bits (re-encoding gives the input back).
 * Returns null for anything else.
 */
export function decodeCanonicalBase64(s) {
  if (typeof s !== "string" || s.length % 4 !== 0) return null;
  if (!/^[A-Za-z0-9+/]*(={0,2})$/.test(s)) return null;
  const bytes = new Uint8Array(Buffer.from(s, "base64"));
  if (Buffer.from(bytes).toString("base64") !== s) return null;
  return bytes;
}

/** Standard padded base64 of bytes. */
export function encodeBase64(bytes) {
  return Buffer.from(bytes).toString("base64");
}
