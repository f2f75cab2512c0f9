//! The error codes of spec §15: stable, lower-case, hyphenated strings. The
//! list is written here from the table; a test holds it equal to the table.

/// Every error code of spec §15, in the table's order.
pub const ALL: &[&str] = &[
    "link-syntax",
    "link-room-id",
    "link-key-length",
    "link-key-encoding",
    "link-version",
    "link-host-key",
    "cipher-version",
    "cipher-base64",
    "cipher-length",
    "cipher-mac",
    "cipher-padding",
    "cipher-plaintext-length",
    "cipher-utf8",
    "payload-json",
    "payload-field",
    "payload-version",
    "payload-binding",
    "payload-too-large",
    "mask-encoding",
    "mask-length",
    "mask-trailing-bits",
    "mask-too-large",
    "mask-untrimmed",
    "mask-off-grid",
    "grid-zone",
    "grid-date",
    "grid-time",
    "grid-empty",
    "event-json",
    "event-id",
    "event-sig",
    "event-kind",
    "event-tag",
    "event-author",
    "event-expired",
    "room-not-found",
    "relay-unavailable",
    "publish-failed",
    "wrap-passphrase",
    "wrap-log-n",
    "wrap-length",
    "wrap-version",
    "wrap-open",
    "wrap-set",
    "wrap-not-member",
    "wrap-params",
    "wrap-window",
    "wrap-no-set",
];

/// Whether `code` is one of the spec's error codes.
pub fn is_known(code: &str) -> bool {
    ALL.contains(&code)
}
