//! The payload-size table of `benches/README.md` (cited by spec §10.5):
//! measured sizes of room and response payloads in both profiles, against a
//! plain list of timestamps, and the largest room each profile fits in a
//! 4 KiB and a 64 KiB event.
//!
//! Every figure comes from the reference itself: the payload's `to_json`,
//! NIP-44 encryption (`cipher::encrypt_with_nonce`) and, for whole events,
//! `RoomContext::build_room_event`. Print the table with `cargo run -p
//! openslots-benches --bin payload-sizes`; a test keeps the README's copy
//! identical.

use std::fmt::Write as _;

use openslots::Profile;
use openslots::cipher::{self, ConversationKey};
use openslots::mask::{self, Mask};
use openslots::payload::{Binding, ResponsePayload, RoomPayload};
use serde::Serialize;

use crate::{SplitMix64, fixtures, masks};

/// A 20-byte title, as in the spec's estimates.
pub const TITLE: &str = "Quarterly planning 1";
/// A 10-byte display name.
pub const NAME: &str = "Alice Bell";
/// A 10-digit start: 2025-06-02 00:00 UTC.
pub const START: i64 = fixtures::ROOM_START;
/// The spans of the table: name and number of days.
pub const SPANS: &[(&str, usize)] = &[
    ("1 day", 1),
    ("2 weeks", 14),
    ("3 months", 92),
    ("1 year", 365),
    ("2 leap years", 732),
];
/// The availabilities of the table, in percent of the span's slots.
pub const AVAILABILITY: &[u64] = &[10, 60];
/// The event size limits of the table, in bytes.
pub const LIMITS: &[(&str, usize)] = &[("4 KiB", 4 * 1024), ("64 KiB", 64 * 1024)];

/// Plaintext, padded plaintext and base64 content lengths of one payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// The JSON plaintext, in bytes.
    pub plaintext: usize,
    /// NIP-44's padded length (`calc_padded_len`), in bytes.
    pub padded: usize,
    /// The event's `content`, in characters; `None` when the plaintext is
    /// over NIP-44's 65,535 bytes.
    pub content: Option<usize>,
}

impl Sizes {
    fn of(plaintext: &str) -> Self {
        let key = ConversationKey::from_bytes([7; 32]);
        Self {
            plaintext: plaintext.len(),
            padded: cipher::calc_padded_len(plaintext.len()),
            content: cipher::encrypt_with_nonce(&key, plaintext.as_bytes(), &[9; 32])
                .ok()
                .map(|c| c.len()),
        }
    }

    /// The table's cell: `plaintext / padded / content`, grouped by
    /// thousands (`– / too large` past NIP-44's limit).
    pub fn cell(&self) -> String {
        match self.content {
            Some(c) => format!(
                "{} / {} / {}",
                group(self.plaintext),
                group(self.padded),
                group(c)
            ),
            None => format!("{} / – / too large", group(self.plaintext)),
        }
    }
}

/// `12345` as `12,345`.
pub fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The binding every payload of the table names: the spec's room id and a
/// 64-hex-digit author.
fn binding_author() -> String {
    "ab".repeat(32)
}

/// A response in the shape of v2 with the available slots as a plain JSON
/// array of Unix seconds instead of a mask: the alternative the masks are
/// measured against.
#[derive(Serialize)]
struct TimestampList<'a> {
    v: i64,
    role: &'a str,
    room: &'a str,
    author: &'a str,
    name: &'a str,
    slots: Vec<i64>,
}

/// One row of the table: the payloads of a span of `days` days with
/// `percent` % of its slots set.
#[derive(Clone, Debug)]
pub struct Row {
    /// The span's name.
    pub span: &'static str,
    /// Slots in the span.
    pub slots: usize,
    /// Percent of the slots set (offered in the room, available in the
    /// response).
    pub percent: u64,
    /// v1 room, v1 response, v2 room, v2 response, timestamp list.
    pub sizes: [Sizes; 5],
}

/// Measures one row. `None` only if the reference refuses a payload it
/// should write.
pub fn row(span: &'static str, days: usize, percent: u64) -> Option<Row> {
    let n = days * masks::SLOTS_PER_DAY;
    let room_mask = masks::random_room(n, percent, 0x5e5 + n as u64);
    let mut rng = SplitMix64::new(0xa11ce + n as u64 + percent);
    let response_mask = Mask::from_indices(n, (0..n).filter(|_| rng.chance(percent)));
    let author = binding_author();
    let binding = Binding {
        room_id: fixtures::ROOM_ID,
        author: &author,
    };
    let room = RoomPayload {
        title: TITLE.to_owned(),
        start: START,
        mask: room_mask,
    };
    let response = |profile: Profile| ResponsePayload {
        name: NAME.to_owned(),
        start: (profile == Profile::V2).then_some(START),
        mask: response_mask.clone(),
    };
    let list = TimestampList {
        v: 2,
        role: "response",
        room: fixtures::ROOM_ID,
        author: &author,
        name: NAME,
        slots: mask::slots_of(START, &response_mask),
    };
    let list_json = serde_json::to_string(&list).ok()?;
    Some(Row {
        span,
        slots: n,
        percent,
        sizes: [
            Sizes::of(&room.to_json(Profile::V1, &binding).ok()?),
            Sizes::of(&response(Profile::V1).to_json(Profile::V1, &binding).ok()?),
            Sizes::of(&room.to_json(Profile::V2, &binding).ok()?),
            Sizes::of(&response(Profile::V2).to_json(Profile::V2, &binding).ok()?),
            Sizes::of(&list_json),
        ],
    })
}

/// The largest room (in slots, every slot offered) whose event in `profile`
/// fits `limit`: its `content` within `limit` characters, and its whole
/// NIP-01 JSON within `limit` bytes. Found by bisection over the slot count,
/// building and signing each candidate with the reference.
pub fn largest_room(profile: Profile, limit: usize) -> Option<(usize, usize)> {
    let (ctx, host) = fixtures::context(profile)?;
    let measure = |n: usize| -> Option<(usize, usize)> {
        let room = RoomPayload {
            title: TITLE.to_owned(),
            start: START,
            mask: Mask::from_indices(n, 0..n),
        };
        let (event, _) = ctx
            .build_room_event(&host, &room, fixtures::ROOM_CREATED_AT, &[1; 32], &[0; 32])
            .ok()?;
        Some((
            event.content.len(),
            serde_json::to_string(&event).ok()?.len(),
        ))
    };
    let fits = |n: usize, whole_event: bool| {
        measure(n).is_some_and(|(content, json)| {
            if whole_event {
                json <= limit
            } else {
                content <= limit
            }
        })
    };
    let largest = |whole_event: bool| {
        let (mut lo, mut hi) = (1usize, mask::MAX_SLOTS_V1 + 1);
        if !fits(lo, whole_event) {
            return 0;
        }
        // Invariant: lo fits, hi does not (or is past every limit).
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid, whole_event) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    };
    Some((largest(false), largest(true)))
}

/// The whole table, as Markdown.
pub fn table() -> Option<String> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| span | slots | set | v1 room | v1 response | v2 room | v2 response | timestamp list |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | --- | --- | --- | --- | --- |");
    for &(span, days) in SPANS {
        for &percent in AVAILABILITY {
            let r = row(span, days, percent)?;
            let cells: Vec<String> = r.sizes.iter().map(Sizes::cell).collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} % | {} |",
                r.span,
                group(r.slots),
                r.percent,
                cells.join(" | ")
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "| largest room | content ≤ 4 KiB | event ≤ 4 KiB | content ≤ 64 KiB | event ≤ 64 KiB |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: |");
    for (name, profile) in [("v1", Profile::V1), ("v2", Profile::V2)] {
        let mut cells = Vec::new();
        for &(_, limit) in LIMITS {
            let (content, event) = largest_room(profile, limit)?;
            for n in [content, event] {
                cells.push(format!(
                    "{} slots ({:.1} days)",
                    group(n),
                    n as f64 / masks::SLOTS_PER_DAY as f64
                ));
            }
        }
        let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
    }
    Some(out)
}
