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
use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher};
use sha2::block_api::compress256;
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
// and the conversation key (32 bytes) is exactly HashLen long. The expansion
// below produces exactly three HMAC blocks (96 bytes) and keeps 76.
const _: () = assert!(MESSAGE_KEYS_LEN == 76 && MESSAGE_KEYS_LEN <= 3 * 32);
const _: () = assert!(CONVERSATION_KEY_LEN == 32);

// ---------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------

/// The base64 engine of payloads: standard alphabet, padding written and
/// required, canonical (OS-CIPHER-6). On x86-64 and aarch64 it is the
/// `base64` crate's `Simd` engine, which detects AVX2 or NEON once at run
/// time and otherwise falls back to the scalar engine; its vector kernel only
/// decodes a prefix of complete, valid quads and leaves every check of the
/// rest, the padding and the trailing bits to the scalar code that the
/// `STANDARD` engine runs, so both accept exactly the same strings.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub(crate) fn base64_engine() -> &'static impl base64::Engine {
    static ENGINE: std::sync::LazyLock<base64::engine::Simd> = std::sync::LazyLock::new(|| {
        base64::engine::Simd::standard(base64::engine::general_purpose::PAD)
    });
    &*ENGINE
}

/// The base64 engine of payloads: standard alphabet, padding written and
/// required, canonical (OS-CIPHER-6).
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(crate) fn base64_engine() -> &'static impl base64::Engine {
    &base64::engine::general_purpose::STANDARD
}

/// SHA-256's initial hash value (FIPS 180-4 §5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];
/// SHA-256's block length, in bytes.
const SHA256_BLOCK: usize = 64;

/// HMAC-SHA256 (RFC 2104) with a 32-byte key, computed on the SHA-256
/// compression function (`sha2`'s `compress256`, which uses the SHA
/// extensions when the CPU has them, detected at run time).
///
/// The key's inner and outer pad blocks are absorbed once, by [`Self::new`];
/// each message then costs its own blocks and one outer block, with no
/// buffering: this is what makes HKDF-Expand of the 76 message-key bytes ten
/// compressions in all.
///
/// Zeroized on drop: the two states are as good as the key. Of the
/// temporaries, the key-dependent bytes of the pad blocks and the inner
/// digest are wiped; the last message block is not, as it only ever holds
/// public bytes (a ciphertext's tail, or HKDF's nonce and counter: `T(i - 1)`
/// always fills whole blocks, which are read in place).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
struct HmacSha256 {
    /// The SHA-256 state after `key ^ ipad`.
    inner: [u32; 8],
    /// The SHA-256 state after `key ^ opad`.
    outer: [u32; 8],
}

/// The big-endian bytes of a SHA-256 state (the digest).
fn digest_bytes(state: &[u32; 8], out: &mut [u8; 32]) {
    for (dst, w) in out.chunks_exact_mut(4).zip(state) {
        dst.copy_from_slice(&w.to_be_bytes());
    }
}

impl HmacSha256 {
    /// Keys the HMAC: `key` zero-padded to a block, XORed with `0x36` (inner)
    /// and `0x5c` (outer), each absorbed from the initial state.
    fn new(key: &[u8; 32]) -> Self {
        let keyed = |pad: u8| {
            let mut block = [[pad; SHA256_BLOCK]];
            let flat = block.as_flattened_mut();
            for (b, k) in flat.iter_mut().zip(key) {
                *b ^= k;
            }
            let mut state = SHA256_IV;
            compress256(&mut state, &block);
            // Only the first 32 bytes depend on the key.
            if let Some(key_bytes) = block.as_flattened_mut().get_mut(..32) {
                key_bytes.zeroize();
            }
            state
        };
        Self {
            inner: keyed(0x36),
            outer: keyed(0x5c),
        }
    }

    /// An HMAC-SHA256 computation to feed in pieces.
    fn stream(&self) -> HmacStream<'_> {
        HmacStream {
            key: self,
            state: self.inner,
            pending: [0; SHA256_BLOCK],
            pending_len: 0,
            len: 0,
        }
    }

    /// Writes HMAC-SHA256(key, message) to `out`.
    fn mac_into(&self, message: &[u8], out: &mut [u8; MAC_LEN]) {
        let mut stream = self.stream();
        stream.update(message);
        stream.finish_into(out);
    }

    /// HMAC-SHA256(key, message).
    fn mac(&self, message: &[u8]) -> [u8; MAC_LEN] {
        let mut out = [0u8; MAC_LEN];
        self.mac_into(message, &mut out);
        out
    }
}

/// HMAC-SHA256 fed in pieces: whole blocks go to the compression function
/// straight from the input, a partial block waits in `pending`. (It never
/// holds key material: HKDF's `T(i - 1)` always fills whole blocks, and
/// the rest of every message this module MACs is public.)
#[derive(Zeroize, ZeroizeOnDrop)]
struct HmacStream<'k> {
    #[zeroize(skip)]
    key: &'k HmacSha256,
    /// The inner SHA-256 state.
    state: [u32; 8],
    /// The bytes of an incomplete block.
    pending: [u8; SHA256_BLOCK],
    /// How many bytes of `pending` are in use (always below a block).
    pending_len: usize,
    /// Message bytes so far.
    len: u64,
}

impl HmacStream<'_> {
    /// Absorbs `data`.
    fn update(&mut self, data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        let mut data = data;
        if self.pending_len > 0 {
            let free = self.pending.get_mut(self.pending_len..).unwrap_or_default();
            let take = free.len().min(data.len());
            let (head, rest) = data.split_at(take);
            if let Some(dst) = free.get_mut(..take) {
                dst.copy_from_slice(head);
            }
            self.pending_len += take;
            data = rest;
            if self.pending_len < SHA256_BLOCK {
                return;
            }
            compress256(&mut self.state, &[self.pending]);
            self.pending_len = 0;
        }
        let (blocks, tail) = data.as_chunks::<SHA256_BLOCK>();
        compress256(&mut self.state, blocks);
        if let Some(dst) = self.pending.get_mut(..tail.len()) {
            dst.copy_from_slice(tail);
        }
        self.pending_len = tail.len();
    }

    /// Writes the MAC to `out`.
    fn finish_into(mut self, out: &mut [u8; MAC_LEN]) {
        // SHA-256 padding of `ipad block ‖ message`: the pending bytes, 0x80,
        // zeros and the bit length as a big-endian u64, in one block or,
        // when fewer than 9 bytes are free, two.
        let bit_len = (SHA256_BLOCK as u64).wrapping_add(self.len).wrapping_mul(8);
        let tail = self.pending.get(..self.pending_len).unwrap_or_default();
        let mut last = [[0u8; SHA256_BLOCK]; 2];
        let used = if tail.len() + 9 <= SHA256_BLOCK { 1 } else { 2 };
        let flat = last.as_flattened_mut();
        for (dst, src) in flat.iter_mut().zip(tail.iter().chain(&[0x80])) {
            *dst = *src;
        }
        if let Some((_, len_bytes)) = flat
            .get_mut(..used * SHA256_BLOCK)
            .and_then(|b| b.split_last_chunk_mut::<8>())
        {
            *len_bytes = bit_len.to_be_bytes();
        }
        compress256(&mut self.state, last.get(..used).unwrap_or_default());

        // The outer hash over the inner digest: one block of the 32 digest
        // bytes, 0x80, zeros, and the bit length of `opad block ‖ digest`.
        let mut block = [[0u8; SHA256_BLOCK]];
        if let Some((digest, padding)) = block.as_flattened_mut().split_first_chunk_mut::<32>() {
            digest_bytes(&self.state, digest);
            if let Some(first) = padding.first_mut() {
                *first = 0x80;
            }
            if let Some((_, len_bytes)) = padding.split_last_chunk_mut::<8>() {
                *len_bytes = (((SHA256_BLOCK + MAC_LEN) as u64) * 8).to_be_bytes();
            }
        }
        let mut outer = Zeroizing::new(self.key.outer);
        compress256(&mut outer, &block);
        if let Some(key_bytes) = block.as_flattened_mut().get_mut(..32) {
            key_bytes.zeroize();
        }
        digest_bytes(&outer, out);
    }
}

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

    /// The ChaCha20 cipher (IETF, counter 0) of this message.
    ///
    /// NIP-44 buffers are at most 65,537 bytes, far below the 256 GiB
    /// keystream limit of the 32-bit block counter, so applying the
    /// keystream never panics.
    fn cipher(&self) -> ChaCha20 {
        ChaCha20::new((&self.chacha_key).into(), (&self.chacha_nonce).into())
    }

    /// Applies the ChaCha20 keystream (counter 0) to `buf` in place.
    fn apply_keystream(&self, buf: &mut [u8]) {
        self.cipher().apply_keystream(buf);
    }

    /// HMAC-SHA256(hmac_key, data), where `data` is `nonce ‖ ciphertext`
    /// (contiguous in every payload).
    fn mac(&self, data: &[u8]) -> [u8; MAC_LEN] {
        HmacSha256::new(&self.hmac_key).mac(data)
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
///
/// Computed as RFC 5869 defines it, `T(i) = HMAC(PRK, T(i - 1) ‖ info ‖ i)`
/// for i = 1, 2, 3, with the PRK's HMAC pads absorbed once: ten SHA-256 compressions
/// (two for the key, two for `T(1)`, three each for `T(2)` and `T(3)`).
pub fn message_keys(key: &ConversationKey, nonce: &[u8; NONCE_LEN]) -> MessageKeys {
    let hmac = HmacSha256::new(key.as_bytes());
    let mut keys = MessageKeys {
        chacha_key: [0; CHACHA_KEY_LEN],
        chacha_nonce: [0; CHACHA_NONCE_LEN],
        hmac_key: [0; HMAC_KEY_LEN],
    };
    // OKM = T(1) ‖ T(2) ‖ T(3)[..12], split 32 / 12 / 32; `msg` is
    // `T(i - 1) ‖ nonce ‖ i`, and T(0) is empty, so T(1) reads from byte 32.
    // (Constant ranges of fixed-size arrays: none of this can panic.)
    let mut msg = [0u8; 32 + NONCE_LEN + 1];
    msg[32..64].copy_from_slice(nonce);
    msg[64] = 1;
    hmac.mac_into(&msg[32..], &mut keys.chacha_key);
    let mut t = Zeroizing::new([0u8; 32]);
    msg[..32].copy_from_slice(&keys.chacha_key);
    msg[64] = 2;
    hmac.mac_into(&msg, &mut t);
    keys.chacha_nonce.copy_from_slice(&t[..CHACHA_NONCE_LEN]);
    keys.hmac_key[..32 - CHACHA_NONCE_LEN].copy_from_slice(&t[CHACHA_NONCE_LEN..]);
    msg[..32].copy_from_slice(t.as_slice());
    msg[64] = 3;
    hmac.mac_into(&msg, &mut t);
    keys.hmac_key[32 - CHACHA_NONCE_LEN..].copy_from_slice(&t[..CHACHA_NONCE_LEN]);
    msg[..32].zeroize();
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
    // Build `version ‖ nonce ‖ padded plaintext ‖ zeros for the MAC` in one
    // buffer, then seal it where it lies.
    let mut out = Vec::with_capacity(payload_len(len));
    out.push(VERSION);
    out.extend_from_slice(nonce);
    pad_into(&mut out, plaintext, len);
    out.resize(out.len() + MAC_LEN, 0);
    seal(key, &mut out);
    Ok(out)
}

/// The length of the decoded payload of a `len`-byte plaintext.
fn payload_len(len: u16) -> usize {
    CIPHERTEXT_START + LEN_PREFIX + calc_padded_len(usize::from(len)) + MAC_LEN
}

/// Seals `payload` = `version ‖ nonce ‖ padded plaintext ‖ (MAC_LEN bytes)`
/// in place: ChaCha20 over the padded plaintext, then the MAC over `nonce ‖
/// ciphertext` into the last 32 bytes. The length is the caller's (it
/// always builds at least `CIPHERTEXT_START + MAC_LEN` bytes).
fn seal(key: &ConversationKey, payload: &mut [u8]) {
    let Some((head, mac)) = payload.split_last_chunk_mut::<MAC_LEN>() else {
        return;
    };
    let Some((_, authenticated)) = head.split_first_mut() else {
        return;
    };
    let Some((nonce, ciphertext)) = authenticated.split_first_chunk_mut::<NONCE_LEN>() else {
        return;
    };
    let keys = message_keys(key, nonce);
    keys.apply_keystream(ciphertext);
    *mac = keys.mac(authenticated);
}

/// Payloads up to this many bytes are assembled on the stack rather than in
/// a heap buffer that is dropped as soon as it is encoded (one allocation
/// less, which is a few percent of a short message's cost).
const SMALL_PAYLOAD: usize = 1024;

/// Encrypts and returns the base64 payload (standard alphabet, padded).
///
/// The nonce must be fresh and random for every message.
pub fn encrypt_with_nonce(
    key: &ConversationKey,
    plaintext: &[u8],
    nonce: &[u8; NONCE_LEN],
) -> Result<String, CipherError> {
    let len = plaintext_len(plaintext)?;
    let total = payload_len(len);
    if total <= SMALL_PAYLOAD {
        let mut stack = [0u8; SMALL_PAYLOAD];
        if let Some(payload) = stack.get_mut(..total) {
            // `version ‖ nonce ‖ u16_be(len) ‖ plaintext`, then zeros.
            if let Some((header, body)) =
                payload.split_first_chunk_mut::<{ CIPHERTEXT_START + LEN_PREFIX }>()
            {
                header[0] = VERSION;
                header[1..CIPHERTEXT_START].copy_from_slice(nonce);
                header[CIPHERTEXT_START..].copy_from_slice(&len.to_be_bytes());
                if let Some(dst) = body.get_mut(..plaintext.len()) {
                    dst.copy_from_slice(plaintext);
                }
            }
            seal(key, payload);
            return Ok(base64_engine().encode(payload));
        }
    }
    Ok(encrypt_streaming(key, plaintext, len, nonce))
}

/// Bytes of the body (`u16_be(len) ‖ padded plaintext`) sealed and encoded
/// per step of [`encrypt_streaming`]: 48 ChaCha20 blocks, 1,024 base64
/// groups, small enough that each step runs in the L1 cache.
const STREAM_CHUNK: usize = 48 * 64;

// Chunks start on ChaCha20 block boundaries of the body, and, as the body
// starts at byte 33 of the payload, on base64 group boundaries of the
// payload too.
const _: () = assert!(STREAM_CHUNK.is_multiple_of(64) && STREAM_CHUNK.is_multiple_of(3));
const _: () = assert!(CIPHERTEXT_START.is_multiple_of(3));

/// Copies bytes `at .. at + dst.len()` of the body `u16_be(len) ‖ plaintext
/// ‖ zeros` into `dst` (zeros beyond the plaintext).
fn body_bytes(len: u16, plaintext: &[u8], at: usize, dst: &mut [u8]) {
    let prefix = len.to_be_bytes();
    let (head, rest) = dst.split_at_mut(LEN_PREFIX.saturating_sub(at).min(dst.len()));
    for (d, p) in head.iter_mut().zip(prefix.iter().skip(at)) {
        *d = *p;
    }
    let from = (at + head.len()).saturating_sub(LEN_PREFIX);
    let src = plaintext.get(from..).unwrap_or_default();
    let take = src.len().min(rest.len());
    let (copied, zeros) = rest.split_at_mut(take);
    copied.copy_from_slice(src.get(..take).unwrap_or_default());
    zeros.fill(0);
}

/// Encryption of a payload too large for the stack, in one pass over the
/// plaintext: chunk by chunk, the body is copied, encrypted, fed to the MAC
/// and base64-encoded into the output while it is still in the cache,
/// instead of three passes over a heap buffer that is then dropped. The
/// bytes are those of [`encrypt_bytes_with_nonce`], encoded.
fn encrypt_streaming(
    key: &ConversationKey,
    plaintext: &[u8],
    len: u16,
    nonce: &[u8; NONCE_LEN],
) -> String {
    let engine = base64_engine();
    let keys = message_keys(key, nonce);
    let body_len = LEN_PREFIX + calc_padded_len(usize::from(len));
    let total = CIPHERTEXT_START + body_len + MAC_LEN;
    let mut out = String::with_capacity(total.div_ceil(3) * 4);
    let mut cipher = keys.cipher();
    let hmac = HmacSha256::new(&keys.hmac_key);
    let mut mac = hmac.stream();
    mac.update(nonce);
    // One chunk of the payload: the header (first chunk only), a chunk of
    // the body, and the MAC (last chunk only).
    let mut buf = [0u8; CIPHERTEXT_START + STREAM_CHUNK + MAC_LEN];
    let mut at = 0;
    while at < body_len {
        let n = STREAM_CHUNK.min(body_len - at);
        let start = if at == 0 { 0 } else { CIPHERTEXT_START };
        if let Some((version, header)) = buf.split_first_mut()
            && at == 0
        {
            *version = VERSION;
            if let Some(dst) = header.get_mut(..NONCE_LEN) {
                dst.copy_from_slice(nonce);
            }
        }
        let end = CIPHERTEXT_START + n;
        if let Some(body) = buf.get_mut(CIPHERTEXT_START..end) {
            body_bytes(len, plaintext, at, body);
            cipher.apply_keystream(body);
            mac.update(body);
        }
        at += n;
        let end = if at == body_len {
            // The last chunk carries the MAC, and the base64 padding.
            let mut tag = [0u8; MAC_LEN];
            core::mem::replace(&mut mac, hmac.stream()).finish_into(&mut tag);
            if let Some(dst) = buf.get_mut(end..end + MAC_LEN) {
                dst.copy_from_slice(&tag);
            }
            end + MAC_LEN
        } else {
            end
        };
        // Every chunk but the last is a whole number of base64 groups, so
        // the pieces concatenate to the encoding of the whole payload.
        engine.encode_string(buf.get(start..end).unwrap_or_default(), &mut out);
    }
    out
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
    let mut payload_bytes = Vec::with_capacity(CIPHERTEXT_START + ciphertext.len() + MAC_LEN);
    payload_bytes.push(VERSION);
    payload_bytes.extend_from_slice(nonce);
    payload_bytes.extend_from_slice(&ciphertext);
    let mac = message_keys.mac(payload_bytes.get(1..).unwrap_or_default());
    payload_bytes.extend_from_slice(&mac);
    let payload = base64_engine().encode(&payload_bytes);
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
    check_encoded(payload)?;
    // The engine requires canonical padding and zero trailing bits, and
    // rejects any byte outside the standard alphabet (including whitespace).
    base64_engine()
        .decode(payload)
        .map_err(|_| CipherError::Base64)
}

/// The checks of [`decode_payload`] before the base64: version marker and
/// encoded length.
fn check_encoded(payload: &str) -> Result<(), CipherError> {
    if payload.is_empty() || payload.starts_with('#') {
        return Err(CipherError::Version);
    }
    // OS-CIPHER-5, OS-CIPHER-11: the length in characters (Unicode scalar
    // values), before the base64. Bytes equal characters for ASCII; a
    // payload with any other character fails here or at the base64, and
    // the count decides which.
    let chars = if payload.is_ascii() {
        payload.len()
    } else {
        payload.chars().count()
    };
    if !(MIN_PAYLOAD_LEN..=MAX_PAYLOAD_LEN).contains(&chars) {
        return Err(CipherError::Length);
    }
    Ok(())
}

/// A decoded payload split into its parts.
struct PayloadParts<'a> {
    /// `nonce ‖ ciphertext`, the MAC's input.
    authenticated: &'a [u8],
    nonce: &'a [u8; NONCE_LEN],
    ciphertext: &'a [u8],
    mac: &'a [u8; MAC_LEN],
}

/// Checks the decoded length and the version byte and splits a decoded
/// payload into nonce, ciphertext and MAC.
fn split_payload(data: &[u8]) -> Result<PayloadParts<'_>, CipherError> {
    if !(MIN_DECODED_LEN..=MAX_DECODED_LEN).contains(&data.len()) {
        return Err(CipherError::Length);
    }
    let (version, authenticated) = data.split_first().ok_or(CipherError::Length)?;
    if *version != VERSION {
        return Err(CipherError::Version);
    }
    let (authenticated, mac) = authenticated
        .split_last_chunk::<MAC_LEN>()
        .ok_or(CipherError::Length)?;
    let (nonce, ciphertext) = authenticated
        .split_first_chunk::<NONCE_LEN>()
        .ok_or(CipherError::Length)?;
    Ok(PayloadParts {
        authenticated,
        nonce,
        ciphertext,
        mac,
    })
}

/// Bodies (length prefix and padded plaintext) up to this many bytes are
/// decrypted whole, in one call, on the stack: ChaCha20 then computes its
/// (at most four) blocks side by side, where decrypting the prefix first
/// would compute the first two one after the other.
const SMALL_BODY: usize = 256;

/// Opens a decoded payload: checks the MAC, then decrypts the length prefix
/// and checks the padding, then decrypts only the plaintext bytes, straight
/// into the returned buffer. (Small bodies are decrypted whole on the stack
/// and wiped, see [`SMALL_BODY`]; either way no decrypted padding is left
/// behind and no plaintext is moved to the front.)
fn open(key: &ConversationKey, data: &[u8]) -> Result<Vec<u8>, CipherError> {
    let PayloadParts {
        authenticated,
        nonce,
        ciphertext,
        mac,
    } = split_payload(data)?;
    let keys = message_keys(key, nonce);
    let expected = Zeroizing::new(keys.mac(authenticated));
    if !bool::from(expected.as_slice().ct_eq(mac.as_slice())) {
        return Err(CipherError::Mac);
    }
    let mut cipher = keys.cipher();
    let mut stack = [0u8; SMALL_BODY];
    if let Some(small) = stack.get_mut(..ciphertext.len()) {
        cipher.apply_keystream_b2b(ciphertext, small);
        let plaintext = unpad(small).map(<[u8]>::to_vec);
        // Wipes what was decrypted (the rest of `stack` was never written).
        small.zeroize();
        return plaintext;
    }
    // The checks of `unpad`, on the decrypted prefix alone.
    let (prefix, padded) = ciphertext
        .split_first_chunk::<LEN_PREFIX>()
        .ok_or(CipherError::Padding)?;
    let mut len = Zeroizing::new([0u8; LEN_PREFIX]);
    cipher.apply_keystream_b2b(prefix, len.as_mut_slice());
    let len = usize::from(u16::from_be_bytes(*len));
    if len < MIN_PLAINTEXT_LEN || padded.len() != calc_padded_len(len) {
        return Err(CipherError::Padding);
    }
    let encrypted = padded.get(..len).ok_or(CipherError::Padding)?;
    let mut plaintext = vec![0u8; len];
    // Continues the keystream at byte 2; equal lengths, so this cannot panic.
    cipher.apply_keystream_b2b(encrypted, &mut plaintext);
    Ok(plaintext)
}

/// Decrypts an already base64-decoded payload (`0x02 ‖ nonce ‖ ciphertext ‖ mac`)
/// and returns the plaintext bytes, without the UTF-8 check.
///
/// Errors, in order: [`CipherError::Length`] (not 99..=65,603 bytes),
/// [`CipherError::Version`], [`CipherError::Mac`], [`CipherError::Padding`].
pub fn decrypt_raw(key: &ConversationKey, data: &[u8]) -> Result<Vec<u8>, CipherError> {
    open(key, data)
}

/// Decrypts a base64 payload and returns the plaintext bytes, without the
/// UTF-8 check.
///
/// Errors, in order: [`CipherError::Version`] (empty or `#`),
/// [`CipherError::Length`], [`CipherError::Base64`], [`CipherError::Length`]
/// (decoded), [`CipherError::Version`] (byte), [`CipherError::Mac`],
/// [`CipherError::Padding`].
pub fn decrypt_to_bytes(key: &ConversationKey, payload: &str) -> Result<Vec<u8>, CipherError> {
    check_encoded(payload)?;
    // A short payload is decoded on the stack (see `SMALL_PAYLOAD`): the
    // same engine and checks as `decode_payload`, into a buffer at least as
    // long as the engine's estimate, so only the base64 can fail.
    if base64::decoded_len_estimate(payload.len()) <= SMALL_PAYLOAD {
        let mut stack = [0u8; SMALL_PAYLOAD];
        let n = base64_engine()
            .decode_slice(payload, &mut stack)
            .map_err(|_| CipherError::Base64)?;
        return open(key, stack.get(..n).unwrap_or_default());
    }
    open(key, &decode_payload(payload)?)
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
