// Member access (spec §19.2, area WRAP), written from the spec text: the
// passphrase (NFKC, OS-WRAP-2), the intermediate (scrypt with NIP-49's
// parameters, OS-WRAP-3, LOG_N bounded before anything is allocated,
// OS-WRAP-4), locators and wrapping keys (OS-WRAP-7), the 106-byte wrapper
// under XChaCha20-Poly1305 (OS-WRAP-8, OS-WRAP-9, OS-WRAP-11), wrapper set
// contents (OS-WRAP-12, OS-WRAP-13), the rotation schedule (OS-WRAP-14), the
// set's d-tag and expiration (OS-WRAP-16) and epoch keys (OS-WRAP-21).
// Epochs and times are BigInt so that 64-bit arithmetic and overflow are exact.

import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { scrypt } from "@noble/hashes/scrypt.js";
import { hmac } from "@noble/hashes/hmac.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { fail } from "./errors.mjs";
import { utf8, concat, toHex, decodeCanonicalBase64 } from "./bytes.mjs";
import { frame } from "./blind.mjs";

const U64_MAX = (1n << 64n) - 1n;
const WRAPPER_LEN = 106;
const HEADER_LEN = 58;

/** u64be(x) for a BigInt 0 <= x < 2^64. */
function u64be(x) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, x, false);
  return b;
}

/** OS-WRAP-2: UTF-8 of NFKC (lone surrogates become U+FFFD), 1 to 1024 bytes. */
export function passphraseBytes(text) {
  const p = utf8(text.normalize("NFKC"));
  if (p.length === 0 || p.length > 1024) fail("wrap-passphrase", "the normalised passphrase must be 1 to 1024 bytes (OS-WRAP-2)");
  return p;
}

/** OS-WRAP-4: LOG_N from 1 to 20, checked before scrypt allocates anything. */
export function checkLogN(logN) {
  if (!(Number.isInteger(logN) && logN >= 1 && logN <= 20)) fail("wrap-log-n", `LOG_N ${logN} is outside 1..20 (OS-WRAP-4)`);
}

/** OS-WRAP-3 (LOG_N first, then the passphrase): the intermediate. */
export function deriveIntermediate(passphrase, salt, logN) {
  checkLogN(logN);
  const p = passphraseBytes(passphrase);
  return scrypt(p, salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32 });
}

/** OS-WRAP-7: the locator (16 bytes) and K_wrap. */
export function memberKeys(i, group, epoch) {
  const e = u64be(epoch);
  const locator = hmac(sha256, i, frame(utf8("openslots:wrap:locator"), group, e)).slice(0, 16);
  const wrapKey = hmac(sha256, i, frame(utf8("openslots:wrap:key"), group, e));
  return { locator, wrapKey };
}

/** OS-WRAP-9: the associated data. */
function associatedData(group, epoch, header) {
  return frame(utf8("openslots:wrap:ad"), group, u64be(epoch), header);
}

/** OS-WRAP-8: a wrapper. */
export function seal(i, group, epoch, salt, logN, nonce, secret) {
  checkLogN(logN);
  const { locator, wrapKey } = memberKeys(i, group, epoch);
  const header = concat(Uint8Array.of(0x01, logN), salt, nonce, locator);
  const ct = xchacha20poly1305(wrapKey, nonce, associatedData(group, epoch, header)).encrypt(secret);
  return concat(header, ct);
}

/** OS-WRAP-11, the checks that need no key: length, version, LOG_N. */
function checkWrapper(w) {
  if (w.length !== WRAPPER_LEN) fail("wrap-length", `a wrapper is ${WRAPPER_LEN} bytes, not ${w.length} (OS-WRAP-11)`);
  if (w[0] !== 0x01) fail("wrap-version", `wrapper version ${w[0]} (OS-WRAP-11)`);
  checkLogN(w[1]);
}

/** OS-WRAP-11: opens with an intermediate; any failure is wrap-open. */
export function open(i, group, epoch, w) {
  checkWrapper(w);
  const { wrapKey } = memberKeys(i, group, epoch);
  try {
    return xchacha20poly1305(wrapKey, w.subarray(18, 42), associatedData(group, epoch, w.subarray(0, HEADER_LEN))).decrypt(w.subarray(HEADER_LEN));
  } catch {
    fail("wrap-open", "the wrapper does not open (OS-WRAP-11)");
  }
}

/** OS-WRAP-11 from a passphrase, with the wrapper's salt and LOG_N. */
export function openWithPassphrase(passphrase, group, epoch, w) {
  checkWrapper(w);
  const i = deriveIntermediate(passphrase, w.subarray(2, 18), w[1]);
  return open(i, group, epoch, w);
}

function cmp(a, b) {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
}

/** OS-WRAP-12: the epoch and wrappers of a set content. */
export function parseSet(content) {
  const bytes = decodeCanonicalBase64(content);
  if (bytes === null) fail("wrap-set", "the content is not canonical padded base64 (OS-WRAP-12)");
  const k = (bytes.length - 8) / WRAPPER_LEN;
  if (bytes.length < 8 + WRAPPER_LEN || !Number.isInteger(k) || k > 512) fail("wrap-set", "the content is not an epoch and 1 to 512 wrappers (OS-WRAP-12)");
  const epoch = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, false);
  const ws = [];
  for (let n = 0; n < k; n++) ws.push(bytes.subarray(8 + n * WRAPPER_LEN, 8 + (n + 1) * WRAPPER_LEN));
  for (const w of ws) checkWrapper(w);
  for (let n = 1; n < ws.length; n++) {
    const [a, b] = [ws[n - 1], ws[n]];
    if (a[1] !== b[1] || cmp(a.subarray(2, 18), b.subarray(2, 18)) !== 0) fail("wrap-set", "wrappers differ in LOG_N or salt (OS-WRAP-12)");
    if (cmp(a.subarray(42, 58), b.subarray(42, 58)) >= 0) fail("wrap-set", "locators are not strictly ascending (OS-WRAP-12)");
  }
  return { epoch, ws };
}

/** OS-WRAP-13: one derivation, then the wrapper with the member's locator. */
export function openSet(passphrase, group, content) {
  const { epoch, ws } = parseSet(content);
  const i = deriveIntermediate(passphrase, ws[0].subarray(2, 18), ws[0][1]);
  const { locator } = memberKeys(i, group, epoch);
  const index = ws.findIndex((w) => cmp(w.subarray(42, 58), locator) === 0);
  if (index < 0) fail("wrap-not-member", "no wrapper carries this member's locator (OS-WRAP-13)");
  return { epoch, index, locator, secret: open(i, group, epoch, ws[index]) };
}

/** OS-WRAP-14: the window [start, end] of an epoch; BigInt arithmetic, overflow is wrap-params. */
export function window(rotate, margin, epoch) {
  if (rotate < 1n || margin >= rotate) fail("wrap-params", "need 1 <= ROTATE_TIME and MARGIN_TIME < ROTATE_TIME (OS-WRAP-14)");
  const start = epoch * rotate;
  const end = start + rotate + margin;
  if (start > U64_MAX || end > U64_MAX) fail("wrap-params", "the epoch's window does not fit in 64 bits (OS-WRAP-14)");
  return { start, end };
}

/** OS-WRAP-14: the window, if now is in it (both ends included). */
export function checkEpoch(rotate, margin, epoch, now) {
  const w = window(rotate, margin, epoch);
  if (now < w.start || now > w.end) fail("wrap-window", "the epoch is not accepted at now (OS-WRAP-14)");
  return w;
}

/** OS-WRAP-16: the wrapper set's d-tag. */
export function setDTag(group) {
  return toHex(hmac(sha256, group, frame(utf8("openslots:wrap:set"))));
}

/** OS-WRAP-21: a key derived from an epoch secret. */
export function epochKey(secret, group, epoch, purpose) {
  return hkdf(sha256, secret, utf8("openslots:wrap:epoch"), frame(utf8(purpose), group, u64be(epoch)), 32);
}
