//! The spec's error vocabulary (spec §15, "Error codes").
//!
//! Every failure the reference can report carries one [`ErrorCode`]: a stable,
//! kebab-case string that vectors, the harness and third-party adapters use to
//! compare errors. Module error enums map each of their variants to one code
//! and to the requirement ID that the failing check enforces.

use core::fmt;

/// A stable error code from the spec's error vocabulary.
///
/// The string form ([`ErrorCode::as_str`]) is what appears in vectors and in
/// the adapter protocol; it never changes once published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `link-syntax`: the link is not `<origin>/room/<room-id>#<fragment>`.
    LinkSyntax,
    /// `link-room-id`: the room id is not a canonical lowercase UUID.
    LinkRoomId,
    /// `link-key-length`: the room key is not 64 characters long.
    LinkKeyLength,
    /// `link-key-encoding`: the room key is not lowercase hexadecimal.
    LinkKeyEncoding,
    /// `link-version`: the fragment names a profile this implementation does not know.
    LinkVersion,
    /// `link-host-key`: the v2 host public key is malformed or not a valid x-only key.
    LinkHostKey,
    /// `cipher-version`: NIP-44 payload with an unknown version (or a leading `#`).
    CipherVersion,
    /// `cipher-base64`: NIP-44 payload that is not canonical padded base64.
    CipherBase64,
    /// `cipher-length`: NIP-44 payload whose encoded or decoded length is out of range.
    CipherLength,
    /// `cipher-mac`: NIP-44 MAC mismatch (also: wrong key).
    CipherMac,
    /// `cipher-padding`: NIP-44 padding or length prefix is invalid.
    CipherPadding,
    /// `cipher-plaintext-length`: plaintext to encrypt is empty or longer than 65,535 bytes.
    CipherPlaintextLength,
    /// `cipher-utf8`: the decrypted plaintext is not UTF-8.
    CipherUtf8,
    /// `payload-json`: the plaintext is not a JSON object.
    PayloadJson,
    /// `payload-field`: a required payload member is missing or has the wrong type.
    PayloadField,
    /// `payload-version`: a v2 payload names another protocol version.
    PayloadVersion,
    /// `payload-binding`: a v2 payload's role, room or author does not match its event.
    PayloadBinding,
    /// `payload-too-large`: a payload field or the whole plaintext exceeds its limit.
    PayloadTooLarge,
    /// `mask-encoding`: a mask contains characters outside its encoding.
    MaskEncoding,
    /// `mask-length`: a mask is empty or its length does not match what it must match.
    MaskLength,
    /// `mask-trailing-bits`: a v2 mask sets bits beyond its declared length.
    MaskTrailingBits,
    /// `mask-too-large`: a mask exceeds the profile's slot limit.
    MaskTooLarge,
    /// `mask-untrimmed`: a room mask does not start and end with an offered slot.
    MaskUntrimmed,
    /// `mask-off-grid`: a slot or mask start is not on the room's 1800-second grid.
    MaskOffGrid,
    /// `grid-zone`: the time zone is not an IANA name or a fixed offset.
    GridZone,
    /// `grid-date`: a date is not a valid ISO 8601 calendar date.
    GridDate,
    /// `grid-time`: a start or end time is not a valid wall-clock time.
    GridTime,
    /// `grid-empty`: the grid produced no slot.
    GridEmpty,
    /// `event-json`: the event is not a well-formed NIP-01 event.
    EventJson,
    /// `event-id`: the event id is not the hash of its serialisation.
    EventId,
    /// `event-sig`: the event signature does not verify.
    EventSig,
    /// `event-kind`: the event is not of kind 30078.
    EventKind,
    /// `event-tag`: a required tag is missing, repeated or has the wrong value.
    EventTag,
    /// `event-author`: the event's author is not the one the profile requires.
    EventAuthor,
    /// `event-expired`: the event carries a NIP-40 expiration earlier than now.
    EventExpired,
    /// `event-created-at`: the next version of an address would need a
    /// `created_at` above 2^53 - 1 (OS-EVENT-9).
    EventCreatedAt,
    /// `room-not-found`: no candidate room event survived validation.
    RoomNotFound,
    /// `relay-unavailable`: no configured relay answered a query (OS-RES-7).
    RelayUnavailable,
    /// `publish-failed`: no configured relay accepted a published event (OS-EVENT-12).
    PublishFailed,
    /// `book-room`: the room offers no bookings, or its `book` member is malformed (OS-BOOK-2).
    BookRoom,
    /// `book-nonce`: a receipt nonce is not 32 bytes of lower-case hexadecimal (OS-BOOK-3).
    BookNonce,
    /// `book-request`: a request payload breaks a rule of its members (OS-BOOK-4).
    BookRequest,
    /// `book-too-many`: a request names more slots than the room's `max` (OS-BOOK-11).
    BookTooMany,
    /// `book-past`: a requested slot is not upcoming (OS-BOOK-11).
    BookPast,
    /// `book-stale`: a requested slot is not offered by the current room version (OS-BOOK-11).
    BookStale,
    /// `book-full`: a requested slot has no seat left (OS-BOOK-11).
    BookFull,
    /// `book-receipt`: a presented nonce matches no confirmed booking (OS-BOOK-12).
    BookReceipt,
    /// `book-spent`: a presented nonce or a new commitment is already spent (OS-BOOK-12).
    BookSpent,
    /// `book-hold`: a host hold does not fit or names a slot not offered (OS-BOOK-13).
    BookHold,
    /// `book-withdrawn`: the host no longer offers a slot of a confirmed booking (OS-BOOK-14).
    BookWithdrawn,
    /// `wrap-passphrase`: the normalised passphrase is empty or longer than 1,024 bytes (OS-WRAP-2).
    WrapPassphrase,
    /// `wrap-log-n`: a wrapper's LOG_N is outside 1..=20 (OS-WRAP-4).
    WrapLogN,
    /// `wrap-length`: a wrapper is not 106 bytes long (OS-WRAP-11).
    WrapLength,
    /// `wrap-version`: a wrapper's version byte is not 0x01 (OS-WRAP-11).
    WrapVersion,
    /// `wrap-open`: a wrapper does not authenticate, for any reason (OS-WRAP-11).
    WrapOpen,
    /// `wrap-set`: a wrapper set's content or expiration is malformed (OS-WRAP-12, OS-WRAP-17).
    WrapSet,
    /// `wrap-not-member`: no wrapper of the set carries the member's locator (OS-WRAP-13).
    WrapNotMember,
    /// `wrap-params`: a rotation schedule is out of bounds or overflows (OS-WRAP-14).
    WrapParams,
    /// `wrap-window`: an epoch is not accepted at now (OS-WRAP-14).
    WrapWindow,
    /// `wrap-no-set`: no wrapper-set candidate survived validation (OS-WRAP-17).
    WrapNoSet,
}

impl ErrorCode {
    /// Every code, in the order the spec lists them.
    pub const ALL: &'static [ErrorCode] = &[
        Self::LinkSyntax,
        Self::LinkRoomId,
        Self::LinkKeyLength,
        Self::LinkKeyEncoding,
        Self::LinkVersion,
        Self::LinkHostKey,
        Self::CipherVersion,
        Self::CipherBase64,
        Self::CipherLength,
        Self::CipherMac,
        Self::CipherPadding,
        Self::CipherPlaintextLength,
        Self::CipherUtf8,
        Self::PayloadJson,
        Self::PayloadField,
        Self::PayloadVersion,
        Self::PayloadBinding,
        Self::PayloadTooLarge,
        Self::MaskEncoding,
        Self::MaskLength,
        Self::MaskTrailingBits,
        Self::MaskTooLarge,
        Self::MaskUntrimmed,
        Self::MaskOffGrid,
        Self::GridZone,
        Self::GridDate,
        Self::GridTime,
        Self::GridEmpty,
        Self::EventJson,
        Self::EventId,
        Self::EventSig,
        Self::EventKind,
        Self::EventTag,
        Self::EventAuthor,
        Self::EventExpired,
        Self::EventCreatedAt,
        Self::RoomNotFound,
        Self::RelayUnavailable,
        Self::PublishFailed,
        Self::BookRoom,
        Self::BookNonce,
        Self::BookRequest,
        Self::BookTooMany,
        Self::BookPast,
        Self::BookStale,
        Self::BookFull,
        Self::BookReceipt,
        Self::BookSpent,
        Self::BookHold,
        Self::BookWithdrawn,
        Self::WrapPassphrase,
        Self::WrapLogN,
        Self::WrapLength,
        Self::WrapVersion,
        Self::WrapOpen,
        Self::WrapSet,
        Self::WrapNotMember,
        Self::WrapParams,
        Self::WrapWindow,
        Self::WrapNoSet,
    ];

    /// The stable string form used in vectors and in the adapter protocol.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::LinkSyntax => "link-syntax",
            Self::LinkRoomId => "link-room-id",
            Self::LinkKeyLength => "link-key-length",
            Self::LinkKeyEncoding => "link-key-encoding",
            Self::LinkVersion => "link-version",
            Self::LinkHostKey => "link-host-key",
            Self::CipherVersion => "cipher-version",
            Self::CipherBase64 => "cipher-base64",
            Self::CipherLength => "cipher-length",
            Self::CipherMac => "cipher-mac",
            Self::CipherPadding => "cipher-padding",
            Self::CipherPlaintextLength => "cipher-plaintext-length",
            Self::CipherUtf8 => "cipher-utf8",
            Self::PayloadJson => "payload-json",
            Self::PayloadField => "payload-field",
            Self::PayloadVersion => "payload-version",
            Self::PayloadBinding => "payload-binding",
            Self::PayloadTooLarge => "payload-too-large",
            Self::MaskEncoding => "mask-encoding",
            Self::MaskLength => "mask-length",
            Self::MaskTrailingBits => "mask-trailing-bits",
            Self::MaskTooLarge => "mask-too-large",
            Self::MaskUntrimmed => "mask-untrimmed",
            Self::MaskOffGrid => "mask-off-grid",
            Self::GridZone => "grid-zone",
            Self::GridDate => "grid-date",
            Self::GridTime => "grid-time",
            Self::GridEmpty => "grid-empty",
            Self::EventJson => "event-json",
            Self::EventId => "event-id",
            Self::EventSig => "event-sig",
            Self::EventKind => "event-kind",
            Self::EventTag => "event-tag",
            Self::EventAuthor => "event-author",
            Self::EventExpired => "event-expired",
            Self::EventCreatedAt => "event-created-at",
            Self::RoomNotFound => "room-not-found",
            Self::RelayUnavailable => "relay-unavailable",
            Self::PublishFailed => "publish-failed",
            Self::BookRoom => "book-room",
            Self::BookNonce => "book-nonce",
            Self::BookRequest => "book-request",
            Self::BookTooMany => "book-too-many",
            Self::BookPast => "book-past",
            Self::BookStale => "book-stale",
            Self::BookFull => "book-full",
            Self::BookReceipt => "book-receipt",
            Self::BookSpent => "book-spent",
            Self::BookHold => "book-hold",
            Self::BookWithdrawn => "book-withdrawn",
            Self::WrapPassphrase => "wrap-passphrase",
            Self::WrapLogN => "wrap-log-n",
            Self::WrapLength => "wrap-length",
            Self::WrapVersion => "wrap-version",
            Self::WrapOpen => "wrap-open",
            Self::WrapSet => "wrap-set",
            Self::WrapNotMember => "wrap-not-member",
            Self::WrapParams => "wrap-params",
            Self::WrapWindow => "wrap-window",
            Self::WrapNoSet => "wrap-no-set",
        }
    }

    /// Parses the string form back into a code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Implemented by every module's error enum: the spec code and the
/// requirement a failure breaks.
pub trait SpecError: std::error::Error {
    /// The stable error code (spec §15).
    fn code(&self) -> ErrorCode;
    /// The requirement ID whose check produced this error, e.g. `OS-CIPHER-6`.
    fn requirement(&self) -> &'static str;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for &c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {c}");
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
            assert!(
                c.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
        }
        assert_eq!(ErrorCode::parse("no-such-code"), None);
    }
}

/// A failed check, reduced to what the spec names: code and requirement.
///
/// Resolution reports every rejected event with one of these, whichever
/// module's check rejected it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Failure {
    /// The stable error code.
    pub code: ErrorCode,
    /// The requirement the check enforces.
    pub requirement: &'static str,
}

impl Failure {
    /// A failure with this code and requirement.
    pub const fn new(code: ErrorCode, requirement: &'static str) -> Self {
        Self { code, requirement }
    }
}

impl<E: SpecError> From<E> for Failure {
    fn from(e: E) -> Self {
        Self {
            code: e.code(),
            requirement: e.requirement(),
        }
    }
}

impl std::error::Error for Failure {}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code, self.requirement)
    }
}
