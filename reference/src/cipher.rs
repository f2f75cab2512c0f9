//! Payload encryption (spec §7): NIP-44 version 2 with the room's K_enc as the conversation key.
//!
//! Conformance: OS-CIPHER-1 (NIP-44 version 2 exactly), OS-CIPHER-2 (the
//! conversation key is `K_enc`), OS-CIPHER-4 to OS-CIPHER-10 (the checks).
//!
//! OpenSlots uses the room's 32-byte symmetric key `K_enc` directly as the
//! NIP-44 *conversation key*: there is no ECDH step and no HKDF-extract step.
//! Everything after that is [NIP-44 version 2] exactly, so any conforming
//! NIP-44 v2 library can produce and open OpenSlots payloads once it is handed
//! the conversation key.
//!
//! NIP-44 v2 is **ChaCha20 with HMAC-SHA256 (encrypt-then-MAC)**, not
//! ChaCha20-Poly1305 and not an AEAD in the RFC 8439 sense:
//!
//! 1. per message, a caller-supplied 32-byte `nonce` (this module never draws
//!    randomness; callers pass a fresh random nonce for every message);
//! 2. message keys = HKDF-SHA256-Expand(PRK = conversation key, info = nonce,
//!    L = 76), split 32 / 12 / 32 into the ChaCha20 key, the ChaCha20 nonce and
//!    the HMAC key ([`message_keys`]);
//! 3. the plaintext (1 to 65,535 bytes) is prefixed with its length as a
//!    big-endian `u16` and zero-padded to `2 + calc_padded_len(len)` bytes
//!    ([`pad`], [`calc_padded_len`]);
//! 4. ciphertext = ChaCha20 (IETF variant, 96-bit nonce, initial counter 0)
//!    over the padded plaintext;
//! 5. mac = HMAC-SHA256(HMAC key, nonce ‖ ciphertext);
//! 6. payload = standard base64, with padding, of
//!    `0x02 ‖ nonce ‖ ciphertext ‖ mac`.
//!
//! Decryption ([`decrypt`]) checks, in this order, and stops at the first
//! failure: version marker (`OS-CIPHER-4`), encoded length (`OS-CIPHER-5`),
//! strict canonical base64 (`OS-CIPHER-6`), decoded length (`OS-CIPHER-5`),
//! version byte (`OS-CIPHER-4`), the MAC in constant time *before* any
//! decryption (`OS-CIPHER-7`), the padding (`OS-CIPHER-8`) and finally UTF-8
//! (`OS-CIPHER-10`, skipped by [`decrypt_to_bytes`] and [`decrypt_raw`]).
//!
//! Key material ([`ConversationKey`], [`MessageKeys`]) is zeroized on drop
//! and never printed by `Debug`.
//!
//! [NIP-44 version 2]: https://github.com/nostr-protocol/nips/blob/master/44.md

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher};
use hkdf::{Hkdf, HmacImpl};
use hmac::Hmac;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{ErrorCode, SpecError};

/// The NIP-44 version byte this module implements (`0x02`).
pub const VERSION: u8 = 2;
/// Length of the per-message nonce, in bytes.
pub const NONCE_LEN: usize = 32;
/// Length of the HMAC-SHA256 tag, in bytes.
pub const MAC_LEN: usize = 32;
/// Length of a conversation key, in bytes.
pub const CONVERSATION_KEY_LEN: usize = 32;
/// Length of the ChaCha20 key inside [`MessageKeys`], in bytes.
pub const CHACHA_KEY_LEN: usize = 32;
/// Length of the ChaCha20 (IETF) nonce inside [`MessageKeys`], in bytes.
pub const CHACHA_NONCE_LEN: usize = 12;
/// Length of the HMAC key inside [`MessageKeys`], in bytes.
pub const HMAC_KEY_LEN: usize = 32;
/// Total HKDF-Expand output length (`L`) that is split into [`MessageKeys`].
pub const MESSAGE_KEYS_LEN: usize = CHACHA_KEY_LEN + CHACHA_NONCE_LEN + HMAC_KEY_LEN;
/// Smallest plaintext that can be encrypted, in bytes.
pub const MIN_PLAINTEXT_LEN: usize = 1;
/// Largest plaintext that can be encrypted, in bytes.
pub const MAX_PLAINTEXT_LEN: usize = 65_535;
/// Smallest base64 payload accepted by [`decrypt`], in characters.
pub const MIN_PAYLOAD_LEN: usize = 132;
/// Largest base64 payload accepted by [`decrypt`], in characters.
pub const MAX_PAYLOAD_LEN: usize = 87_472;
/// Smallest decoded payload (`0x02 ‖ nonce ‖ ciphertext ‖ mac`), in bytes.
pub const MIN_DECODED_LEN: usize = 99;
/// Largest decoded payload (`0x02 ‖ nonce ‖ ciphertext ‖ mac`), in bytes.
pub const MAX_DECODED_LEN: usize = 65_603;

/// Length of the big-endian `u16` length prefix of the padded plaintext.
const LEN_PREFIX: usize = 2;
/// Offset of the ciphertext in a decoded payload (after version and nonce).
const CIPHERTEXT_START: usize = 1 + NONCE_LEN;

// HKDF-Expand can produce at most 255 * HashLen bytes; 76 is far below that,
// and the conversation key (32 bytes) is exactly HashLen long.
const _: () = assert!(MESSAGE_KEYS_LEN == 76 && MESSAGE_KEYS_LEN <= 255 * 32);
const _: () = assert!(CONVERSATION_KEY_LEN >= 32);

/// Why a NIP-44 v2 operation failed. Each variant maps to one spec error code
/// and one requirement ID (see [`SpecError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CipherError {
    /// `OS-CIPHER-4`: the payload is empty, starts with `#` (a future,
    /// non-base64 version marker), or its first decoded byte is not `0x02`.
    #[error("unknown NIP-44 encryption version")]
    Version,
    /// `OS-CIPHER-5`: the base64 payload is not 132..=87,472 characters long,
    /// or the decoded payload is not 99..=65,603 bytes long.
    #[error("invalid NIP-44 payload length")]
    Length,
    /// `OS-CIPHER-6`: the payload is not canonical, padded, standard-alphabet
    /// base64 (URL-safe alphabet, missing padding, whitespace and non-zero
    /// trailing bits are all rejected).
    #[error("invalid base64 in NIP-44 payload")]
    Base64,
    /// `OS-CIPHER-7`: the HMAC-SHA256 tag does not match (this is also what a
    /// wrong conversation key produces).
    #[error("invalid NIP-44 MAC")]
    Mac,
    /// `OS-CIPHER-8`: the decrypted length prefix is zero, or the padded
    /// plaintext is not exactly `2 + calc_padded_len(len)` bytes long.
    #[error("invalid NIP-44 padding")]
    Padding,
    /// `OS-CIPHER-9`: the plaintext to encrypt is empty or longer than
    /// 65,535 bytes.
    #[error("NIP-44 plaintext must be 1..=65535 bytes long")]
    PlaintextLength,
    /// `OS-CIPHER-10`: the decrypted plaintext is not valid UTF-8.
    #[error("NIP-44 plaintext is not valid UTF-8")]
    Utf8,
}

impl SpecError for CipherError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Version => ErrorCode::CipherVersion,
            Self::Length => ErrorCode::CipherLength,
            Self::Base64 => ErrorCode::CipherBase64,
            Self::Mac => ErrorCode::CipherMac,
            Self::Padding => ErrorCode::CipherPadding,
            Self::PlaintextLength => ErrorCode::CipherPlaintextLength,
            Self::Utf8 => ErrorCode::CipherUtf8,
        }
    }

    fn requirement(&self) -> &'static str {
        match self {
            Self::Version => "OS-CIPHER-4",
            Self::Length => "OS-CIPHER-5",
            Self::Base64 => "OS-CIPHER-6",
            Self::Mac => "OS-CIPHER-7",
            Self::Padding => "OS-CIPHER-8",
            Self::PlaintextLength => "OS-CIPHER-9",
            Self::Utf8 => "OS-CIPHER-10",
        }
    }
}

/// A NIP-44 v2 conversation key: in OpenSlots, the room's 32-byte `K_enc`.
///
/// Zeroized on drop. `Debug` prints `ConversationKey(<redacted>)`; there is
/// deliberately no `Display`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ConversationKey([u8; CONVERSATION_KEY_LEN]);

impl ConversationKey {
    /// Wraps 32 key bytes (used as the HKDF PRK, without any extract step).
    pub const fn from_bytes(bytes: [u8; CONVERSATION_KEY_LEN]) -> Self {
        Self(bytes)
    }

    /// The raw key bytes.
    pub const fn as_bytes(&self) -> &[u8; CONVERSATION_KEY_LEN] {
        &self.0
    }
}

impl From<[u8; CONVERSATION_KEY_LEN]> for ConversationKey {
    fn from(bytes: [u8; CONVERSATION_KEY_LEN]) -> Self {
        Self::from_bytes(bytes)
    }
}

impl fmt::Debug for ConversationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConversationKey(<redacted>)")
    }
}

/// The per-message keys derived from a conversation key and a nonce
/// (see [`message_keys`]).
///
/// Zeroized on drop. `Debug` prints `MessageKeys(<redacted>)`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MessageKeys {
    chacha_key: [u8; CHACHA_KEY_LEN],
    chacha_nonce: [u8; CHACHA_NONCE_LEN],
    hmac_key: [u8; HMAC_KEY_LEN],
}

impl MessageKeys {
    /// The ChaCha20 key (HKDF output bytes 0..32).
    pub const fn chacha_key(&self) -> &[u8; CHACHA_KEY_LEN] {
        &self.chacha_key
    }

    /// The ChaCha20 IETF nonce (HKDF output bytes 32..44).
    pub const fn chacha_nonce(&self) -> &[u8; CHACHA_NONCE_LEN] {
        &self.chacha_nonce
    }

    /// The HMAC-SHA256 key (HKDF output bytes 44..76).
    pub const fn hmac_key(&self) -> &[u8; HMAC_KEY_LEN] {
        &self.hmac_key
    }

    /// Applies the ChaCha20 keystream (counter 0) to `buf` in place.
    fn apply_keystream(&self, buf: &mut [u8]) {
        let mut cipher = ChaCha20::new((&self.chacha_key).into(), (&self.chacha_nonce).into());
        // NIP-44 buffers are at most 65,537 bytes, far below the 256 GiB
        // keystream limit of the 32-bit block counter.
        cipher.apply_keystream(buf);
    }

    /// HMAC-SHA256(hmac_key, nonce ‖ ciphertext), without concatenating.
    fn mac(&self, nonce: &[u8; NONCE_LEN], ciphertext: &[u8]) -> [u8; MAC_LEN] {
        // `HmacImpl::new_from_slice` is infallible: HMAC takes keys of any size.
        let mut mac = <Hmac<Sha256> as HmacImpl>::new_from_slice(&self.hmac_key);
        HmacImpl::update(&mut mac, nonce);
        HmacImpl::update(&mut mac, ciphertext);
        HmacImpl::finalize(mac).into()
    }
}

impl fmt::Debug for MessageKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MessageKeys(<redacted>)")
    }
}

/// Derives the message keys: HKDF-SHA256-Expand with the conversation key as
/// PRK, the nonce as info and L = 76, split 32 / 12 / 32 into ChaCha20 key,
/// ChaCha20 nonce and HMAC key.
pub fn message_keys(key: &ConversationKey, nonce: &[u8; NONCE_LEN]) -> MessageKeys {
    let mut okm = Zeroizing::new([0u8; MESSAGE_KEYS_LEN]);
    // Both HKDF errors are impossible by construction (see the const
    // assertions above): the PRK is exactly HashLen bytes and L = 76 is at
    // most 255 * HashLen.
    let Ok(hkdf) = Hkdf::<Sha256>::from_prk(key.as_bytes()) else {
        unreachable!("a 32-byte PRK is valid for HKDF-SHA256")
    };
    let Ok(()) = hkdf.expand(nonce, okm.as_mut_slice()) else {
        unreachable!("76 bytes is a valid HKDF-SHA256 output length")
    };

    let mut keys = MessageKeys {
        chacha_key: [0; CHACHA_KEY_LEN],
        chacha_nonce: [0; CHACHA_NONCE_LEN],
        hmac_key: [0; HMAC_KEY_LEN],
    };
    let targets = keys
        .chacha_key
        .iter_mut()
        .chain(keys.chacha_nonce.iter_mut())
        .chain(keys.hmac_key.iter_mut());
    for (dst, src) in targets.zip(okm.iter()) {
        *dst = *src;
    }
    keys
}

/// The padded length of a plaintext of `unpadded_len` bytes, excluding the
/// 2-byte length prefix.
///
/// `len <= 32` gives 32; otherwise, with `next_power = 1 << (floor(log2(len - 1)) + 1)`
/// and `chunk = if next_power <= 256 { 32 } else { next_power / 8 }`, the
/// result is `chunk * (floor((len - 1) / chunk) + 1)`. Total for every
/// input: it saturates at `usize::MAX` instead of overflowing for lengths far
/// beyond what NIP-44 allows.
pub const fn calc_padded_len(unpadded_len: usize) -> usize {
    if unpadded_len <= 32 {
        return 32;
    }
    let last = unpadded_len - 1;
    // next_power = 2^(ilog2(last) + 1); next_power <= 256 iff last < 256.
    let chunk = if last < 256 {
        32
    } else {
        // next_power / 8 = 2^(ilog2(last) - 2), computed without overflow.
        1usize << (last.ilog2() - 2)
    };
    chunk.saturating_mul(last / chunk + 1)
}

/// Checks the plaintext length (1..=65,535 bytes) and returns it as `u16`.
fn plaintext_len(plaintext: &[u8]) -> Result<u16, CipherError> {
    match u16::try_from(plaintext.len()) {
        Ok(len) if len >= 1 => Ok(len),
        _ => Err(CipherError::PlaintextLength),
    }
}

/// Appends `u16_be(len) ‖ plaintext ‖ zeros` to `out`.
fn pad_into(out: &mut Vec<u8>, plaintext: &[u8], len: u16) {
    let end = out.len() + LEN_PREFIX + calc_padded_len(usize::from(len));
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(plaintext);
    out.resize(end, 0);
}

/// Pads a plaintext: returns `u16_be(len) ‖ plaintext ‖ zeros`, of total
/// length `2 + calc_padded_len(len)`.
///
/// Fails with [`CipherError::PlaintextLength`] unless the plaintext is
/// 1..=65,535 bytes long.
pub fn pad(plaintext: &[u8]) -> Result<Vec<u8>, CipherError> {
    let len = plaintext_len(plaintext)?;
    let mut out = Vec::with_capacity(LEN_PREFIX + calc_padded_len(usize::from(len)));
    pad_into(&mut out, plaintext, len);
    Ok(out)
}

/// Removes the padding from a decrypted buffer and returns the plaintext.
///
/// Fails with [`CipherError::Padding`] when the length prefix is missing or
/// zero, or when the buffer is not exactly `2 + calc_padded_len(len)` bytes.
/// The zero bytes of the padding itself are not inspected (NIP-44 does not
/// require it).
pub fn unpad(padded: &[u8]) -> Result<&[u8], CipherError> {
    let (prefix, rest) = padded
        .split_first_chunk::<LEN_PREFIX>()
        .ok_or(CipherError::Padding)?;
    let len = usize::from(u16::from_be_bytes(*prefix));
    if len < MIN_PLAINTEXT_LEN || rest.len() != calc_padded_len(len) {
        return Err(CipherError::Padding);
    }
    rest.get(..len).ok_or(CipherError::Padding)
}

/// Encrypts and returns the raw (not base64) payload
/// `0x02 ‖ nonce ‖ ciphertext ‖ mac`.
///
/// The nonce must be fresh and random for every message.
pub fn encrypt_bytes_with_nonce(
    key: &ConversationKey,
    plaintext: &[u8],
    nonce: &[u8; NONCE_LEN],
) -> Result<Vec<u8>, CipherError> {
    let len = plaintext_len(plaintext)?;
    let keys = message_keys(key, nonce);
    let body_len = LEN_PREFIX + calc_padded_len(usize::from(len));

    // Build `version ‖ nonce ‖ padded plaintext` in one buffer, encrypt the
    // padded part where it lies, then append the MAC.
    let mut out = Vec::with_capacity(CIPHERTEXT_START + body_len + MAC_LEN);
    out.push(VERSION);
    out.extend_from_slice(nonce);
    pad_into(&mut out, plaintext, len);
    // `out` holds exactly CIPHERTEXT_START header bytes before the body, so
    // this split point is always in bounds.
    let (_, ciphertext) = out.split_at_mut(CIPHERTEXT_START);
    keys.apply_keystream(ciphertext);
    let mac = keys.mac(nonce, ciphertext);
    out.extend_from_slice(&mac);
    Ok(out)
}

/// Encrypts and returns the base64 payload (standard alphabet, padded).
///
/// The nonce must be fresh and random for every message.
pub fn encrypt_with_nonce(
    key: &ConversationKey,
    plaintext: &[u8],
    nonce: &[u8; NONCE_LEN],
) -> Result<String, CipherError> {
    encrypt_bytes_with_nonce(key, plaintext, nonce).map(|raw| STANDARD.encode(raw))
}

/// Every intermediate value of one encryption, for test vectors that let
/// implementers localise a bug (see [`encrypt_traced`]).
#[derive(Clone, Debug)]
pub struct EncryptionTrace {
    /// The nonce that was used.
    pub nonce: [u8; NONCE_LEN],
    /// The derived message keys (zeroized on drop, redacted in `Debug`).
    pub message_keys: MessageKeys,
    /// `u16_be(len) ‖ plaintext ‖ zeros` before encryption.
    pub padded_plaintext: Vec<u8>,
    /// ChaCha20 over `padded_plaintext`.
    pub ciphertext: Vec<u8>,
    /// HMAC-SHA256(hmac key, nonce ‖ ciphertext).
    pub mac: [u8; MAC_LEN],
    /// The decoded payload `0x02 ‖ nonce ‖ ciphertext ‖ mac`.
    pub payload_bytes: Vec<u8>,
    /// The base64 payload, as [`encrypt_with_nonce`] returns it.
    pub payload: String,
}

/// Encrypts like [`encrypt_with_nonce`] and returns every intermediate value.
///
/// This is for vectors and debugging; it copies every stage, so production
/// code should call [`encrypt_with_nonce`].
pub fn encrypt_traced(
    key: &ConversationKey,
    plaintext: &[u8],
    nonce: &[u8; NONCE_LEN],
) -> Result<EncryptionTrace, CipherError> {
    let padded_plaintext = pad(plaintext)?;
    let message_keys = message_keys(key, nonce);
    let mut ciphertext = padded_plaintext.clone();
    message_keys.apply_keystream(&mut ciphertext);
    let mac = message_keys.mac(nonce, &ciphertext);
    let mut payload_bytes = Vec::with_capacity(CIPHERTEXT_START + ciphertext.len() + MAC_LEN);
    payload_bytes.push(VERSION);
    payload_bytes.extend_from_slice(nonce);
    payload_bytes.extend_from_slice(&ciphertext);
    payload_bytes.extend_from_slice(&mac);
    let payload = STANDARD.encode(&payload_bytes);
    Ok(EncryptionTrace {
        nonce: *nonce,
        message_keys,
        padded_plaintext,
        ciphertext,
        mac,
        payload_bytes,
        payload,
    })
}

/// Checks the version marker, the encoded length and the base64 of a payload
/// and returns the decoded bytes (not yet checked further).
///
/// Errors: [`CipherError::Version`] for an empty or `#`-prefixed payload,
/// [`CipherError::Length`] for fewer than 132 or more than 87,472 characters,
/// [`CipherError::Base64`] for anything but canonical padded standard base64.
pub fn decode_payload(payload: &str) -> Result<Vec<u8>, CipherError> {
    if payload.is_empty() || payload.starts_with('#') {
        return Err(CipherError::Version);
    }
    if !(MIN_PAYLOAD_LEN..=MAX_PAYLOAD_LEN).contains(&payload.len()) {
        return Err(CipherError::Length);
    }
    // `STANDARD` requires canonical padding and zero trailing bits, and
    // rejects any byte outside the standard alphabet (including whitespace).
    STANDARD.decode(payload).map_err(|_| CipherError::Base64)
}

/// A decoded payload split into its parts, ciphertext mutable for in-place
/// decryption.
struct PayloadParts<'a> {
    nonce: &'a [u8; NONCE_LEN],
    ciphertext: &'a mut [u8],
    mac: &'a [u8; MAC_LEN],
}

/// Checks the decoded length and the version byte and splits a decoded
/// payload into nonce, ciphertext and MAC.
fn split_payload(data: &mut [u8]) -> Result<PayloadParts<'_>, CipherError> {
    if !(MIN_DECODED_LEN..=MAX_DECODED_LEN).contains(&data.len()) {
        return Err(CipherError::Length);
    }
    let (version, rest) = data.split_first_mut().ok_or(CipherError::Length)?;
    if *version != VERSION {
        return Err(CipherError::Version);
    }
    let (nonce, rest) = rest
        .split_first_chunk_mut::<NONCE_LEN>()
        .ok_or(CipherError::Length)?;
    let (ciphertext, mac) = rest
        .split_last_chunk_mut::<MAC_LEN>()
        .ok_or(CipherError::Length)?;
    Ok(PayloadParts {
        nonce,
        ciphertext,
        mac,
    })
}

/// Opens a decoded payload held in `data`, in place, and returns `data`
/// shrunk to the plaintext.
fn open_in_place(key: &ConversationKey, mut data: Vec<u8>) -> Result<Vec<u8>, CipherError> {
    let plaintext_len = {
        let PayloadParts {
            nonce,
            ciphertext,
            mac,
        } = split_payload(&mut data)?;
        let keys = message_keys(key, nonce);
        let expected = Zeroizing::new(keys.mac(nonce, ciphertext));
        if !bool::from(expected.as_slice().ct_eq(mac.as_slice())) {
            return Err(CipherError::Mac);
        }
        keys.apply_keystream(ciphertext);
        match unpad(ciphertext) {
            Ok(plaintext) => plaintext.len(),
            Err(err) => {
                ciphertext.zeroize();
                return Err(err);
            }
        }
    };
    // The plaintext sits at `CIPHERTEXT_START + 2 ..`; move it to the front.
    let start = CIPHERTEXT_START + LEN_PREFIX;
    data.truncate(start + plaintext_len);
    if data.len() < start {
        // Unreachable after a successful `unpad`; kept so this cannot panic.
        return Err(CipherError::Padding);
    }
    data.drain(..start);
    Ok(data)
}

/// Decrypts an already base64-decoded payload (`0x02 ‖ nonce ‖ ciphertext ‖ mac`)
/// and returns the plaintext bytes, without the UTF-8 check.
///
/// Errors, in order: [`CipherError::Length`] (not 99..=65,603 bytes),
/// [`CipherError::Version`], [`CipherError::Mac`], [`CipherError::Padding`].
pub fn decrypt_raw(key: &ConversationKey, data: &[u8]) -> Result<Vec<u8>, CipherError> {
    if !(MIN_DECODED_LEN..=MAX_DECODED_LEN).contains(&data.len()) {
        return Err(CipherError::Length);
    }
    open_in_place(key, data.to_vec())
}

/// Decrypts a base64 payload and returns the plaintext bytes, without the
/// UTF-8 check.
///
/// Errors, in order: [`CipherError::Version`] (empty or `#`),
/// [`CipherError::Length`], [`CipherError::Base64`], [`CipherError::Length`]
/// (decoded), [`CipherError::Version`] (byte), [`CipherError::Mac`],
/// [`CipherError::Padding`].
pub fn decrypt_to_bytes(key: &ConversationKey, payload: &str) -> Result<Vec<u8>, CipherError> {
    open_in_place(key, decode_payload(payload)?)
}

/// Decrypts a base64 payload to a UTF-8 string.
///
/// Errors as [`decrypt_to_bytes`], then [`CipherError::Utf8`] when the
/// plaintext is not UTF-8. Never panics, whatever the input.
pub fn decrypt(key: &ConversationKey, payload: &str) -> Result<String, CipherError> {
    let bytes = decrypt_to_bytes(key, payload)?;
    String::from_utf8(bytes).map_err(|err| {
        err.into_bytes().zeroize();
        CipherError::Utf8
    })
}
