// Error codes of spec §15. Every failure an operation reports carries one of
// them; the message is for people and is never compared.

/** The error codes of spec §15, in the order the spec lists them. */
export const CODES = new Set([
  "link-syntax", "link-room-id", "link-key-length", "link-key-encoding", "link-version", "link-host-key",
  "cipher-version", "cipher-base64", "cipher-length", "cipher-mac", "cipher-padding",
  "cipher-plaintext-length", "cipher-utf8",
  "payload-json", "payload-field", "payload-version", "payload-binding", "payload-too-large",
  "mask-encoding", "mask-length", "mask-trailing-bits", "mask-too-large", "mask-untrimmed", "mask-off-grid",
  "grid-zone", "grid-date", "grid-time", "grid-empty",
  "event-json", "event-id", "event-sig", "event-kind", "event-tag", "event-author", "event-expired",
  "event-created-at",
  "room-not-found", "relay-unavailable", "publish-failed",
  "book-room", "book-nonce", "book-request", "book-too-many", "book-past", "book-stale", "book-full",
  "book-receipt", "book-spent", "book-hold", "book-withdrawn",
  "wrap-passphrase", "wrap-log-n", "wrap-length", "wrap-version", "wrap-open", "wrap-set",
  "wrap-not-member", "wrap-params", "wrap-window", "wrap-no-set",
]);

/** A protocol failure with its spec §15 code. */
export class OsError extends Error {
  constructor(code, message) {
    super(message ?? code);
    if (!CODES.has(code)) throw new Error(`internal: unknown error code ${code}`);
    this.code = code;
  }
}

/** Throws an OsError. */
export function fail(code, message) {
  throw new OsError(code, message);
}

/**
 * A request whose input lacks a member the operation needs or has one of the
 * wrong type (adapter protocol OS-ADAPTER-6): answered with the code
 * `bad-request`, which is not a spec §15 code and never matches a case.
 */
export class BadRequest extends Error {}

/** Throws a BadRequest. */
export function badRequest(message) {
  throw new BadRequest(message);
}
