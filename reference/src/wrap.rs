//! Member access (spec §19.2, area WRAP): passphrase-derived intermediates,
//! per-member wrappers of a rotating epoch secret, wrapper sets and the
//! rotation schedule.
//!
//! The pieces, in the order a member meets them:
//!
//! - [`normalize_passphrase`] (OS-WRAP-2): NFKC, UTF-8, 1 to 1,024 bytes.
//! - [`derive_intermediate`] (OS-WRAP-3, OS-WRAP-4): NIP-49's scrypt
//!   (`r = 8`, `p = 1`, 32 bytes) with LOG_N checked *before* anything is
//!   allocated.
//! - [`member_keys`] (OS-WRAP-7): the locator and `K_wrap` of one member in
//!   one epoch of one group.
//! - [`Wrapper`] (OS-WRAP-8, OS-WRAP-9, OS-WRAP-11): the 106-byte wrapper,
//!   NIP-49's layout with a 16-byte locator where NIP-49 has its one byte of
//!   associated data; [`seal`] and [`open`].
//! - [`WrapperSet`] (OS-WRAP-12, OS-WRAP-13): the content of a wrapper set
//!   event, and [`open_set`], which finds a member's wrapper with one
//!   derivation.
//! - [`Schedule`] (OS-WRAP-14, OS-WRAP-16): epochs, windows, CACHE_TIME and
//!   the set's expiration; [`set_d_tag`] (OS-WRAP-16).
//! - [`derive_epoch_key`] (OS-WRAP-21).
//! - [`nip49_seal`] and [`nip49_open`]: NIP-49's own 91-byte form, which
//!   shares the derivation, the cipher and the leading fields, so that the
//!   official NIP-49 vector and the `nostr` crate can confirm them.
//!
//! Every secret zeroizes on drop and prints as `<redacted>`. Every failure
//! to open a wrapper is one error, [`WrapError::Open`], whatever its cause
//! (OS-WRAP-11); the tag is checked by the AEAD in constant time before any
//! plaintext is released.

use core::fmt;

use base64::Engine as _;
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::blinding::frame;
use crate::error::{ErrorCode, SpecError};

/// The wrapper version byte (OS-WRAP-8).
pub const VERSION: u8 = 0x01;
/// The smallest LOG_N a reader accepts (OS-WRAP-4).
pub const MIN_LOG_N: u8 = 1;
/// The largest LOG_N a reader accepts (OS-WRAP-4): 1 GiB of scrypt memory.
pub const MAX_LOG_N: u8 = 20;
/// The length of a salt (OS-WRAP-3).
pub const SALT_LEN: usize = 16;
/// The length of a nonce (OS-WRAP-8).
pub const NONCE_LEN: usize = 24;
/// The length of a locator (OS-WRAP-7).
pub const LOCATOR_LEN: usize = 16;
/// The header: version, LOG_N, salt, nonce and locator (OS-WRAP-9).
pub const HEADER_LEN: usize = 2 + SALT_LEN + NONCE_LEN + LOCATOR_LEN;
/// The length of a wrapper (OS-WRAP-8).
pub const WRAPPER_LEN: usize = HEADER_LEN + 32 + 16;
/// The most wrappers a set holds (OS-WRAP-12).
pub const MAX_WRAPPERS: usize = 512;
/// The longest normalised passphrase, in bytes (OS-WRAP-2).
pub const MAX_PASSPHRASE_BYTES: usize = 1024;
/// The length of NIP-49's serialised form.
pub const NIP49_LEN: usize = 91;

/// Label of the locator (OS-WRAP-7).
pub const LABEL_LOCATOR: &[u8] = b"openslots:wrap:locator";
/// Label of the wrapping key (OS-WRAP-7).
pub const LABEL_KEY: &[u8] = b"openslots:wrap:key";
/// Label of the associated data (OS-WRAP-9).
pub const LABEL_AD: &[u8] = b"openslots:wrap:ad";
/// Label of the wrapper set d-tag (OS-WRAP-16).
pub const LABEL_SET: &[u8] = b"openslots:wrap:set";
/// HKDF salt of keys derived from an epoch secret (OS-WRAP-21).
pub const EPOCH_KEY_SALT: &[u8] = b"openslots:wrap:epoch";

/// A failure of the WRAP area; each variant names its requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WrapError {
    /// `OS-WRAP-2`: the normalised passphrase is empty or longer than 1,024 bytes.
    #[error("the passphrase is empty or too long")]
    Passphrase,
    /// `OS-WRAP-4`: LOG_N outside 1..=20, refused before any allocation.
    #[error("LOG_N out of range")]
    LogN,
    /// `OS-WRAP-11`: a wrapper is not 106 bytes long.
    #[error("a wrapper is not 106 bytes long")]
    Length,
    /// `OS-WRAP-11`: a wrapper's version byte is not 0x01.
    #[error("unknown wrapper version")]
    Version,
    /// `OS-WRAP-11`: the wrapper does not authenticate (any cause).
    #[error("the wrapper does not open")]
    Open,
    /// `OS-WRAP-12`: the content of a wrapper set is malformed.
    #[error("malformed wrapper set")]
    Set,
    /// `OS-WRAP-13`: no wrapper carries the member's locator.
    #[error("no wrapper for this member")]
    NotMember,
    /// `OS-WRAP-14`: the schedule is out of bounds or overflows.
    #[error("invalid rotation schedule")]
    Params,
    /// `OS-WRAP-14`: the epoch is not accepted at now.
    #[error("epoch outside its window")]
    Window,
}

impl SpecError for WrapError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::Passphrase => ErrorCode::WrapPassphrase,
            Self::LogN => ErrorCode::WrapLogN,
            Self::Length => ErrorCode::WrapLength,
            Self::Version => ErrorCode::WrapVersion,
            Self::Open => ErrorCode::WrapOpen,
            Self::Set => ErrorCode::WrapSet,
            Self::NotMember => ErrorCode::WrapNotMember,
            Self::Params => ErrorCode::WrapParams,
            Self::Window => ErrorCode::WrapWindow,
        }
    }

    fn requirement(&self) -> &'static str {
        match self {
            Self::Passphrase => "OS-WRAP-2",
            Self::LogN => "OS-WRAP-4",
            Self::Length | Self::Version | Self::Open => "OS-WRAP-11",
            Self::Set => "OS-WRAP-12",
            Self::NotMember => "OS-WRAP-13",
            Self::Params | Self::Window => "OS-WRAP-14",
        }
    }
}

use crate::kdf::secret32;

secret32!(
    /// The 32-byte group id `G` (spec §19.2.1), known to the host and members only.
    GroupId
);
secret32!(
    /// A member's intermediate `I` (OS-WRAP-3): what the host keeps instead of the passphrase.
    Intermediate
);
secret32!(
    /// An epoch secret `S_e` (OS-WRAP-1).
    EpochSecret
);
secret32!(
    /// A member's wrapping key `K_wrap` for one group and epoch (OS-WRAP-7).
    WrapKey
);
secret32!(
    /// A key derived from an epoch secret for one purpose (OS-WRAP-21).
    EpochKey
);

/// HMAC-SHA256 under a 32-byte key.
fn hmac32(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; 32 bytes can never be rejected.
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key)
        .expect("HMAC-SHA256 accepts a 32-byte key");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The passphrase bytes `P` (OS-WRAP-2): UTF-8 of the NFKC normalisation,
/// 1 to 1,024 bytes. A Rust `&str` holds no lone surrogate, so OS-BLIND-5's
/// replacement has already happened.
pub fn normalize_passphrase(text: &str) -> Result<Zeroizing<String>, WrapError> {
    let p: Zeroizing<String> = Zeroizing::new(text.nfkc().collect());
    if p.is_empty() || p.len() > MAX_PASSPHRASE_BYTES {
        return Err(WrapError::Passphrase);
    }
    Ok(p)
}

/// Checks LOG_N against the reader's bounds (OS-WRAP-4). Nothing is
/// allocated before this check passes.
pub const fn check_log_n(log_n: u8) -> Result<(), WrapError> {
    if log_n < MIN_LOG_N || log_n > MAX_LOG_N {
        return Err(WrapError::LogN);
    }
    Ok(())
}

/// scrypt(P, salt, 2^log_n, 8, 1, 32) on already normalised bytes; LOG_N must
/// have been checked.
fn scrypt32(p: &[u8], salt: &[u8; SALT_LEN], log_n: u8) -> Result<[u8; 32], WrapError> {
    check_log_n(log_n)?;
    let params = scrypt::Params::new(log_n, 8, 1).map_err(|_| WrapError::LogN)?;
    let mut out = [0u8; 32];
    scrypt::scrypt(p, salt, &params, &mut out).map_err(|_| WrapError::LogN)?;
    Ok(out)
}

/// The intermediate of a passphrase (OS-WRAP-3): NIP-49's symmetric key.
/// LOG_N is checked first (OS-WRAP-4), then the passphrase (OS-WRAP-2).
pub fn derive_intermediate(
    passphrase: &str,
    salt: &[u8; SALT_LEN],
    log_n: u8,
) -> Result<Intermediate, WrapError> {
    check_log_n(log_n)?;
    let p = normalize_passphrase(passphrase)?;
    let mut out = scrypt32(p.as_bytes(), salt, log_n)?;
    let i = Intermediate::from_bytes(out);
    out.zeroize();
    Ok(i)
}

/// A member's locator and wrapping key for one group and epoch (OS-WRAP-7).
#[derive(Clone, Debug)]
pub struct MemberKeys {
    /// The 16-byte locator the member's wrapper carries.
    pub locator: [u8; LOCATOR_LEN],
    /// `K_wrap`, the XChaCha20-Poly1305 key of the member's wrapper.
    pub key: WrapKey,
}

/// The locator and `K_wrap` of `i` for group `group` and epoch `epoch` (OS-WRAP-7).
pub fn member_keys(i: &Intermediate, group: &GroupId, epoch: u64) -> MemberKeys {
    let e = epoch.to_be_bytes();
    let full = hmac32(i.as_bytes(), &frame(&[LABEL_LOCATOR, group.as_bytes(), &e]));
    let mut locator = [0u8; LOCATOR_LEN];
    locator.copy_from_slice(&full[..LOCATOR_LEN]);
    let mut key = hmac32(i.as_bytes(), &frame(&[LABEL_KEY, group.as_bytes(), &e]));
    let keys = MemberKeys {
        locator,
        key: WrapKey::from_bytes(key),
    };
    key.zeroize();
    keys
}

/// The associated data of a wrapper (OS-WRAP-9).
pub fn associated_data(group: &GroupId, epoch: u64, header: &[u8; HEADER_LEN]) -> Vec<u8> {
    frame(&[LABEL_AD, group.as_bytes(), &epoch.to_be_bytes(), header])
}

/// A parsed wrapper (OS-WRAP-8): length, version and LOG_N already checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Wrapper([u8; WRAPPER_LEN]);

impl fmt::Debug for Wrapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Wrapper({})", hex::encode(self.0))
    }
}

impl Wrapper {
    /// Reads a wrapper (OS-WRAP-11): length, then version, then LOG_N. No
    /// memory is allocated for scrypt here.
    pub fn parse(bytes: &[u8]) -> Result<Self, WrapError> {
        let array: [u8; WRAPPER_LEN] = bytes.try_into().map_err(|_| WrapError::Length)?;
        if array[0] != VERSION {
            return Err(WrapError::Version);
        }
        check_log_n(array[1])?;
        Ok(Self(array))
    }

    /// The 106 bytes.
    pub const fn as_bytes(&self) -> &[u8; WRAPPER_LEN] {
        &self.0
    }

    /// LOG_N (checked by [`Wrapper::parse`]).
    pub const fn log_n(&self) -> u8 {
        self.0[1]
    }

    /// The group's salt.
    pub fn salt(&self) -> [u8; SALT_LEN] {
        let mut s = [0u8; SALT_LEN];
        s.copy_from_slice(&self.0[2..2 + SALT_LEN]);
        s
    }

    /// The member's locator.
    pub fn locator(&self) -> [u8; LOCATOR_LEN] {
        let mut l = [0u8; LOCATOR_LEN];
        l.copy_from_slice(&self.0[HEADER_LEN - LOCATOR_LEN..HEADER_LEN]);
        l
    }

    fn header(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h.copy_from_slice(&self.0[..HEADER_LEN]);
        h
    }
}

/// Seals `secret` for the member with intermediate `i` (OS-WRAP-8, OS-WRAP-9).
/// `salt` and `log_n` are the group's; `nonce` must be fresh (OS-WRAP-10).
pub fn seal(
    i: &Intermediate,
    group: &GroupId,
    epoch: u64,
    salt: &[u8; SALT_LEN],
    log_n: u8,
    nonce: &[u8; NONCE_LEN],
    secret: &EpochSecret,
) -> Result<Wrapper, WrapError> {
    check_log_n(log_n)?;
    let keys = member_keys(i, group, epoch);
    let mut out = [0u8; WRAPPER_LEN];
    out[0] = VERSION;
    out[1] = log_n;
    out[2..18].copy_from_slice(salt);
    out[18..42].copy_from_slice(nonce);
    out[42..HEADER_LEN].copy_from_slice(&keys.locator);
    let mut header = [0u8; HEADER_LEN];
    header.copy_from_slice(&out[..HEADER_LEN]);
    let ad = associated_data(group, epoch, &header);
    let cipher = XChaCha20Poly1305::new(keys.key.as_bytes().into());
    let mut buf = *secret.as_bytes();
    let tag = cipher
        .encrypt_in_place_detached(XNonce::from_slice(nonce), &ad, &mut buf)
        .map_err(|_| WrapError::Open)?;
    out[HEADER_LEN..HEADER_LEN + 32].copy_from_slice(&buf);
    out[HEADER_LEN + 32..].copy_from_slice(&tag);
    buf.zeroize();
    Ok(Wrapper(out))
}

/// XChaCha20-Poly1305 open of a 32-byte plaintext; every failure is [`WrapError::Open`].
fn aead_open32(
    key: &[u8; 32],
    nonce: &[u8],
    ad: &[u8],
    ct_and_tag: &[u8],
) -> Result<[u8; 32], WrapError> {
    if nonce.len() != NONCE_LEN || ct_and_tag.len() != 48 {
        return Err(WrapError::Open);
    }
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut buf = [0u8; 32];
    buf.copy_from_slice(&ct_and_tag[..32]);
    // The AEAD compares the tag in constant time and leaves `buf` unusable on failure.
    match cipher.decrypt_in_place_detached(
        XNonce::from_slice(nonce),
        ad,
        &mut buf,
        Tag::from_slice(&ct_and_tag[32..]),
    ) {
        Ok(()) => Ok(buf),
        Err(_) => {
            buf.zeroize();
            Err(WrapError::Open)
        }
    }
}

/// Opens a wrapper with the member's intermediate (OS-WRAP-9, OS-WRAP-11).
pub fn open(
    i: &Intermediate,
    group: &GroupId,
    epoch: u64,
    wrapper: &Wrapper,
) -> Result<EpochSecret, WrapError> {
    let keys = member_keys(i, group, epoch);
    let ad = associated_data(group, epoch, &wrapper.header());
    let mut pt = aead_open32(
        keys.key.as_bytes(),
        &wrapper.0[18..42],
        &ad,
        &wrapper.0[HEADER_LEN..],
    )?;
    let s = EpochSecret::from_bytes(pt);
    pt.zeroize();
    Ok(s)
}

/// Reads and opens a wrapper from a passphrase (OS-WRAP-11): length,
/// version, LOG_N, passphrase, derivation with the wrapper's salt, open.
pub fn open_with_passphrase(
    passphrase: &str,
    group: &GroupId,
    epoch: u64,
    bytes: &[u8],
) -> Result<EpochSecret, WrapError> {
    let w = Wrapper::parse(bytes)?;
    let i = derive_intermediate(passphrase, &w.salt(), w.log_n())?;
    open(&i, group, epoch, &w)
}

/// The content of a wrapper set (OS-WRAP-12): an epoch and its wrappers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrapperSet {
    /// The epoch the wrappers are sealed for.
    pub epoch: u64,
    /// 1 to 512 wrappers sharing LOG_N and salt, in ascending locator order.
    pub wrappers: Vec<Wrapper>,
}

impl WrapperSet {
    /// Builds a set: sorts by locator and checks OS-WRAP-12.
    pub fn new(epoch: u64, mut wrappers: Vec<Wrapper>) -> Result<Self, WrapError> {
        wrappers.sort_by_key(Wrapper::locator);
        let set = Self { epoch, wrappers };
        set.check()?;
        Ok(set)
    }

    fn check(&self) -> Result<(), WrapError> {
        let Some(first) = self.wrappers.first() else {
            return Err(WrapError::Set);
        };
        if self.wrappers.len() > MAX_WRAPPERS {
            return Err(WrapError::Set);
        }
        if self
            .wrappers
            .iter()
            .any(|w| w.log_n() != first.log_n() || w.salt() != first.salt())
        {
            return Err(WrapError::Set);
        }
        if self
            .wrappers
            .windows(2)
            .any(|p| p[0].locator() >= p[1].locator())
        {
            return Err(WrapError::Set);
        }
        Ok(())
    }

    /// The content: canonical padded base64 of `u64be(epoch) || wrappers`.
    pub fn to_content(&self) -> String {
        let mut bytes = Vec::with_capacity(8 + WRAPPER_LEN * self.wrappers.len());
        bytes.extend_from_slice(&self.epoch.to_be_bytes());
        for w in &self.wrappers {
            bytes.extend_from_slice(&w.0);
        }
        crate::cipher::base64_engine().encode(bytes)
    }

    /// Reads a content (OS-WRAP-12): base64 and length (`wrap-set`), each
    /// wrapper's version and LOG_N in order, then shared values and order.
    pub fn parse(content: &str) -> Result<Self, WrapError> {
        // Refuse oversized input before decoding it.
        let max_chars = (8 + WRAPPER_LEN * MAX_WRAPPERS).div_ceil(3) * 4;
        if content.len() > max_chars {
            return Err(WrapError::Set);
        }
        let bytes = crate::cipher::base64_engine()
            .decode(content)
            .map_err(|_| WrapError::Set)?;
        if bytes.len() < 8 + WRAPPER_LEN || (bytes.len() - 8) % WRAPPER_LEN != 0 {
            return Err(WrapError::Set);
        }
        let mut epoch = [0u8; 8];
        epoch.copy_from_slice(&bytes[..8]);
        let wrappers = bytes[8..]
            .chunks(WRAPPER_LEN)
            .map(Wrapper::parse)
            .collect::<Result<Vec<_>, _>>()?;
        let set = Self {
            epoch: u64::from_be_bytes(epoch),
            wrappers,
        };
        set.check()?;
        Ok(set)
    }

    /// The wrapper with this locator, if any (OS-WRAP-13).
    pub fn find(&self, locator: &[u8; LOCATOR_LEN]) -> Option<(usize, &Wrapper)> {
        self.wrappers
            .binary_search_by(|w| w.locator().cmp(locator))
            .ok()
            .and_then(|i| self.wrappers.get(i).map(|w| (i, w)))
    }
}

/// What a member gets from a set.
#[derive(Clone, Debug)]
pub struct Opened {
    /// The set's epoch.
    pub epoch: u64,
    /// The position of the member's wrapper in the set.
    pub index: usize,
    /// The member's locator for the epoch.
    pub locator: [u8; LOCATOR_LEN],
    /// The epoch secret.
    pub secret: EpochSecret,
}

/// Finds and opens the member's wrapper with the intermediate it stored (OS-WRAP-13).
pub fn open_set_with_intermediate(
    i: &Intermediate,
    group: &GroupId,
    set: &WrapperSet,
) -> Result<Opened, WrapError> {
    let keys = member_keys(i, group, set.epoch);
    let (index, w) = set.find(&keys.locator).ok_or(WrapError::NotMember)?;
    let secret = open(i, group, set.epoch, w)?;
    Ok(Opened {
        epoch: set.epoch,
        index,
        locator: keys.locator,
        secret,
    })
}

/// Reads a set content and opens the member's wrapper from a passphrase,
/// with one scrypt run whatever the number of wrappers (OS-WRAP-12, OS-WRAP-13).
pub fn open_set(passphrase: &str, group: &GroupId, content: &str) -> Result<Opened, WrapError> {
    let set = WrapperSet::parse(content)?;
    let Some(first) = set.wrappers.first() else {
        return Err(WrapError::Set);
    };
    let i = derive_intermediate(passphrase, &first.salt(), first.log_n())?;
    open_set_with_intermediate(&i, group, &set)
}

/// A group's rotation schedule (OS-WRAP-14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    rotate: u64,
    margin: u64,
}

/// The window of one epoch (OS-WRAP-14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The first second of the epoch: `e × R`.
    pub start: u64,
    /// The last second in which the epoch is accepted: `e × R + R + M`,
    /// also the expiration of its wrapper set (OS-WRAP-16).
    pub end: u64,
}

impl Schedule {
    /// A schedule with `1 ≤ rotate` and `margin < rotate` (OS-WRAP-14).
    pub const fn new(rotate: u64, margin: u64) -> Result<Self, WrapError> {
        if rotate == 0 || margin >= rotate {
            return Err(WrapError::Params);
        }
        Ok(Self { rotate, margin })
    }

    /// ROTATE_TIME.
    pub const fn rotate(&self) -> u64 {
        self.rotate
    }

    /// MARGIN_TIME.
    pub const fn margin(&self) -> u64 {
        self.margin
    }

    /// CACHE_TIME = ROTATE_TIME + MARGIN_TIME (cannot overflow: margin < rotate).
    pub const fn cache_time(&self) -> Result<u64, WrapError> {
        match self.rotate.checked_add(self.margin) {
            Some(c) => Ok(c),
            None => Err(WrapError::Params),
        }
    }

    /// The current epoch at `now`: floor(now / R).
    pub const fn current_epoch(&self, now: u64) -> u64 {
        now / self.rotate
    }

    /// The window of `epoch`; `wrap-params` if its end overflows 64 bits.
    pub fn window(&self, epoch: u64) -> Result<Window, WrapError> {
        let start = epoch.checked_mul(self.rotate).ok_or(WrapError::Params)?;
        let end = start
            .checked_add(self.cache_time()?)
            .ok_or(WrapError::Params)?;
        Ok(Window { start, end })
    }

    /// Whether `epoch` is accepted at `now`: `start ≤ now ≤ end`, both included.
    pub fn check(&self, epoch: u64, now: u64) -> Result<Window, WrapError> {
        let w = self.window(epoch)?;
        if now < w.start || now > w.end {
            return Err(WrapError::Window);
        }
        Ok(w)
    }
}

/// The wrapper set's d-tag (OS-WRAP-16): hex(HMAC-SHA256(G, frame("openslots:wrap:set"))).
pub fn set_d_tag(group: &GroupId) -> String {
    hex::encode(hmac32(group.as_bytes(), &frame(&[LABEL_SET])))
}

/// A key for `purpose` derived from an epoch secret (OS-WRAP-21).
pub fn derive_epoch_key(
    secret: &EpochSecret,
    group: &GroupId,
    epoch: u64,
    purpose: &str,
) -> EpochKey {
    let info = frame(&[purpose.as_bytes(), group.as_bytes(), &epoch.to_be_bytes()]);
    let mut okm = [0u8; 32];
    let hk = Hkdf::<Sha256>::new(Some(EPOCH_KEY_SALT), secret.as_bytes());
    // L = 32 is far below 255 * HashLen, the only failure RFC 5869 defines.
    #[allow(clippy::expect_used)]
    hk.expand(&info, &mut okm)
        .expect("HKDF-SHA256 can always produce 32 bytes");
    let k = EpochKey::from_bytes(okm);
    okm.zeroize();
    k
}

/// NIP-49's 91-byte form of a 32-byte secret: version 0x02, LOG_N, salt,
/// nonce, the key-security byte (the whole associated data) and the
/// ciphertext, under the intermediate of OS-WRAP-3.
pub fn nip49_seal(
    passphrase: &str,
    log_n: u8,
    salt: &[u8; SALT_LEN],
    nonce: &[u8; NONCE_LEN],
    key_security: u8,
    secret: &[u8; 32],
) -> Result<[u8; NIP49_LEN], WrapError> {
    let i = derive_intermediate(passphrase, salt, log_n)?;
    let cipher = XChaCha20Poly1305::new(i.as_bytes().into());
    let mut buf = *secret;
    let tag = cipher
        .encrypt_in_place_detached(XNonce::from_slice(nonce), &[key_security], &mut buf)
        .map_err(|_| WrapError::Open)?;
    let mut out = [0u8; NIP49_LEN];
    out[0] = 0x02;
    out[1] = log_n;
    out[2..18].copy_from_slice(salt);
    out[18..42].copy_from_slice(nonce);
    out[42] = key_security;
    out[43..75].copy_from_slice(&buf);
    out[75..].copy_from_slice(&tag);
    buf.zeroize();
    Ok(out)
}

/// Opens NIP-49's 91-byte form with a password: the fields WRAP shares
/// with NIP-49 are read at the same offsets and checked the same way.
pub fn nip49_open(bytes: &[u8], passphrase: &str) -> Result<Zeroizing<[u8; 32]>, WrapError> {
    if bytes.len() != NIP49_LEN {
        return Err(WrapError::Length);
    }
    if bytes[0] != 0x02 {
        return Err(WrapError::Version);
    }
    check_log_n(bytes[1])?;
    let mut salt = [0u8; SALT_LEN];
    salt.copy_from_slice(&bytes[2..18]);
    let i = derive_intermediate(passphrase, &salt, bytes[1])?;
    let pt = aead_open32(i.as_bytes(), &bytes[18..42], &bytes[42..43], &bytes[43..])?;
    Ok(Zeroizing::new(pt))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn group() -> GroupId {
        GroupId::from_bytes([7; 32])
    }

    #[test]
    fn os_wrap_4_log_n_bounds_are_checked_before_scrypt() {
        assert_eq!(check_log_n(0), Err(WrapError::LogN));
        assert_eq!(check_log_n(21), Err(WrapError::LogN));
        assert_eq!(check_log_n(40), Err(WrapError::LogN));
        assert_eq!(check_log_n(1), Ok(()));
        assert_eq!(check_log_n(20), Ok(()));
        // LOG_N 63 would ask for 2^73 bytes: refused, not attempted.
        assert_eq!(
            derive_intermediate("pw", &[0; 16], 63).unwrap_err(),
            WrapError::LogN
        );
    }

    #[test]
    fn os_wrap_11_seal_then_open_and_every_failure_is_one_code() {
        let i = derive_intermediate("correct horse", &[1; 16], 2).unwrap();
        let s = EpochSecret::from_bytes([9; 32]);
        let w = seal(&i, &group(), 5, &[1; 16], 2, &[3; 24], &s).unwrap();
        assert_eq!(open(&i, &group(), 5, &w).unwrap(), s);
        assert_eq!(
            open_with_passphrase("correct horse", &group(), 5, w.as_bytes()).unwrap(),
            s
        );
        assert_eq!(open(&i, &group(), 6, &w).unwrap_err(), WrapError::Open);
        assert_eq!(
            open(&i, &GroupId::from_bytes([8; 32]), 5, &w).unwrap_err(),
            WrapError::Open
        );
        for pos in [2, 20, 50, 60, 105] {
            let mut b = *w.as_bytes();
            b[pos] ^= 1;
            let t = Wrapper::parse(&b).unwrap();
            assert_eq!(open(&i, &group(), 5, &t).unwrap_err(), WrapError::Open);
        }
        assert_eq!(
            Wrapper::parse(&w.as_bytes()[..105]).unwrap_err(),
            WrapError::Length
        );
        let mut b = *w.as_bytes();
        b[0] = 2;
        assert_eq!(Wrapper::parse(&b).unwrap_err(), WrapError::Version);
        b[0] = 1;
        b[1] = 40;
        assert_eq!(Wrapper::parse(&b).unwrap_err(), WrapError::LogN);
    }

    #[test]
    fn os_wrap_14_window_edges() {
        let s = Schedule::new(86_400, 3_600).unwrap();
        let e = 20_000;
        assert_eq!(s.check(e, 1_727_999_999), Err(WrapError::Window));
        assert!(s.check(e, 1_728_000_000).is_ok());
        assert!(s.check(e - 1, 1_728_003_600).is_ok());
        assert_eq!(s.check(e - 1, 1_728_003_601), Err(WrapError::Window));
        assert_eq!(s.check(e, 1_728_090_000).unwrap().end, 1_728_090_000);
        assert_eq!(s.check(e, 1_728_090_001), Err(WrapError::Window));
        assert_eq!(Schedule::new(10, 10), Err(WrapError::Params));
        assert_eq!(Schedule::new(0, 0), Err(WrapError::Params));
        assert_eq!(
            Schedule::new(10, 1).unwrap().window(u64::MAX / 10),
            Err(WrapError::Params)
        );
    }

    #[test]
    fn secrets_are_redacted() {
        let i = Intermediate::from_bytes([0xab; 32]);
        assert_eq!(format!("{i:?}"), "Intermediate(<redacted>)");
        assert_eq!(
            format!("{:?}", EpochSecret::from_bytes([1; 32])),
            "EpochSecret(<redacted>)"
        );
    }
}
