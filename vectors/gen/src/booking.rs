//! `booking.json`: bookings (spec §19.1): the receipt commitment, the room's
//! `book` member, request payloads, the decision procedure and an attendee's
//! reading of a manifest.

use std::collections::BTreeSet;

use openslots::SpecError;
use openslots::blinding::frame;
use openslots::booking::{
    self, BookOffer, Booked, BookingRequest, BookingState, Commitment, CountedRequest, CurrentRoom,
    Hold, Manifest, ReceiptNonce, Refusal,
};
use openslots_vectors::{
    BookedEntry, BookingExpected, BookingFile, BookingInput, BookingIntermediate,
    BookingRequestRecord, HoldEntry, ManifestData, RefusedEntry,
};

use crate::fixtures::{ROOM_ID, keys};
use crate::{Expect, Outcome, Suite};

/// The first slot of the booking room: 2025-06-02 07:00 UTC.
pub const S0: i64 = 1_748_847_600;
/// The time the host decides at: one day before the first slot.
pub const NOW: u64 = (S0 - 86_400) as u64;

/// Slot `i` of the room (every half hour from [`S0`]).
pub fn slot(i: i64) -> i64 {
    S0 + i * 1800
}

/// Nonce `i`: 32 bytes of `i`, hex.
pub fn nonce(i: u8) -> String {
    hex::encode([i; 32])
}

/// The commitment of nonce `i` for the example room (OS-BOOK-3).
pub fn commit(i: u8) -> String {
    ReceiptNonce::from_bytes([i; 32]).commitment(ROOM_ID).0
}

fn id(i: u8) -> String {
    format!("{i:02x}").repeat(32)
}

fn author(i: u8) -> String {
    keys(i).public_key().to_hex()
}

fn err<E: SpecError>(e: E) -> String {
    e.code().as_str().to_owned()
}

fn to_manifest(m: &ManifestData) -> Manifest {
    Manifest {
        booked: m
            .booked
            .iter()
            .map(|b| Booked {
                slot: b.slot,
                commits: b.commits.iter().cloned().map(Commitment).collect(),
            })
            .collect(),
        held: m.held.iter().map(to_hold).collect(),
        refused: m
            .refused
            .iter()
            .map(|r| Refusal {
                commit: Commitment(r.commit.clone()),
                code: r.code.clone(),
            })
            .collect(),
        spent: m.spent.iter().cloned().map(Commitment).collect(),
    }
}

fn to_hold(h: &HoldEntry) -> Hold {
    Hold {
        slot: h.slot,
        seats: u32::try_from(h.seats).unwrap_or(0),
        code: h.code.clone(),
    }
}

fn from_manifest(m: &Manifest) -> ManifestData {
    ManifestData {
        booked: m
            .booked
            .iter()
            .map(|b| BookedEntry {
                slot: b.slot,
                commits: b.commits.iter().map(|c| c.0.clone()).collect(),
            })
            .collect(),
        held: m
            .held
            .iter()
            .map(|h| HoldEntry {
                slot: h.slot,
                seats: i64::from(h.seats),
                code: h.code.clone(),
            })
            .collect(),
        refused: m
            .refused
            .iter()
            .map(|r| RefusedEntry {
                commit: r.commit.0.clone(),
                code: r.code.clone(),
            })
            .collect(),
        spent: m.spent.iter().map(|c| c.0.clone()).collect(),
    }
}

/// A request record: author `a`, id `i`, `created_at`, slots, commit and reveal nonce numbers.
fn req(
    a: u8,
    i: u8,
    created_at: u64,
    slots: &[i64],
    c: Option<u8>,
    r: Option<u8>,
) -> BookingRequestRecord {
    BookingRequestRecord {
        id: id(i),
        author: author(a),
        created_at,
        slots: slots.to_vec(),
        commit: c.map(commit),
        reveal: r.map(nonce),
    }
}

fn booked(entries: &[(i64, &[u8])]) -> Vec<BookedEntry> {
    entries
        .iter()
        .map(|(t, cs)| BookedEntry {
            slot: *t,
            commits: {
                let mut v: Vec<String> = cs.iter().map(|c| commit(*c)).collect();
                v.sort();
                v
            },
        })
        .collect()
}

/// The decision procedure through the reference.
fn decide(input: &BookingInput) -> (Outcome<BookingExpected>, BookingIntermediate) {
    let offered: BTreeSet<i64> = input
        .offered
        .clone()
        .unwrap_or_default()
        .into_iter()
        .collect();
    let room = CurrentRoom {
        room_id: input.room_id.as_deref().unwrap_or_default(),
        offered: &offered,
        offer: BookOffer {
            cap: input.cap.unwrap_or(1) as u32,
            max: input.max.unwrap_or(1) as u32,
        },
    };
    let requests: Vec<CountedRequest> = input
        .requests
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|r| CountedRequest {
            id: r.id,
            author: r.author,
            created_at: r.created_at,
            request: BookingRequest {
                seen: "00".repeat(32),
                slots: r.slots,
                commit: r.commit.map(Commitment),
                reveal: r.reveal,
            },
        })
        .collect();
    let mut order: Vec<&CountedRequest> = booking::requests_that_count(&requests);
    order.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let inter = BookingIntermediate {
        order: Some(order.iter().map(|r| r.id.clone()).collect()),
        ..Default::default()
    };
    let holds: Vec<Hold> = input
        .holds
        .clone()
        .unwrap_or_default()
        .iter()
        .map(to_hold)
        .collect();
    let previous = to_manifest(&input.previous.clone().unwrap_or_default());
    let out = booking::decide(
        &room,
        input.now.unwrap_or(0) as i64,
        &previous,
        &holds,
        &requests,
    )
    .map(|m| {
        let d = from_manifest(&m);
        BookingExpected {
            booked: Some(d.booked),
            held: Some(d.held),
            refused: Some(d.refused),
            spent: Some(d.spent),
            payload: Some(m.to_json(ROOM_ID, input.host.as_deref().unwrap_or_default())),
            ..Default::default()
        }
    })
    .map_err(err);
    (out, inter)
}

fn room_plaintext(book: &str) -> String {
    format!(
        "{{\"v\":2,\"role\":\"room\",\"room\":\"{ROOM_ID}\",\"author\":\"{}\",\"title\":\"Clinic\",\"start\":{S0},\"mask\":{{\"n\":4,\"b\":\"8A==\"}}{book}}}",
        author(1)
    )
}

fn request_plaintext(members: &str, who: &str) -> String {
    format!(
        "{{\"v\":2,\"role\":\"booking\",\"room\":\"{ROOM_ID}\",\"author\":\"{who}\",{members}}}"
    )
}

pub(crate) fn suite() -> BookingFile {
    let mut s: Suite<BookingInput, BookingIntermediate, BookingExpected> = Suite::new("booking");
    s.note(
        "Race",
        "Two requests compete for the last seat; the order of OS-BOOK-10 decides, whatever the order of arrival.",
    );
    s.note(
        "StaleRead",
        "The attendee read a room version that offered the slot; the host's current version does not.",
    );
    s.note(
        "Receipt",
        "A request presents a receipt nonce (edit or cancel, OS-BOOK-12).",
    );
    s.note(
        "HostEdit",
        "The host changed the room after confirming a booking.",
    );
    s.note(
        "HandWorked",
        "The expected manifest is also written out by hand in vectors/gen/tests/booking.rs.",
    );

    // booking_commit (OS-BOOK-3).
    for (comment, room, n) in [
        ("nonce 00 repeated", ROOM_ID, nonce(0)),
        ("nonce 01 repeated", ROOM_ID, nonce(1)),
        ("nonce ff repeated", ROOM_ID, nonce(0xff)),
        (
            "the same nonce in another room gives another commitment",
            "00000000-0000-4000-8000-000000000000",
            nonce(1),
        ),
    ] {
        let msg = hex::encode(frame(&[
            booking::RECEIPT_LABEL.as_bytes(),
            room.as_bytes(),
            &hex::decode(&n).unwrap_or_default(),
        ]));
        let out = ReceiptNonce::from_hex(&n)
            .map(|x| BookingExpected {
                commit: Some(x.commitment(room).0),
                ..Default::default()
            })
            .map_err(err);
        s.push(
            "v2",
            "booking_commit",
            comment,
            &[],
            &["OS-BOOK-3"],
            BookingInput {
                room_id: Some(room.into()),
                nonce: Some(n.clone()),
                ..Default::default()
            },
            Some(BookingIntermediate {
                message: Some(msg),
                ..Default::default()
            }),
            out,
            Expect::Reference,
        );
    }
    for (comment, n) in [
        ("nonce of 31 bytes", "01".repeat(31)),
        ("nonce of 33 bytes", "01".repeat(33)),
        ("nonce in upper-case hex", "AB".repeat(32)),
        (
            "nonce with a non-hex character",
            format!("{}g", "0".repeat(63)),
        ),
    ] {
        let out = ReceiptNonce::from_hex(&n)
            .map(|x| BookingExpected {
                commit: Some(x.commitment(ROOM_ID).0),
                ..Default::default()
            })
            .map_err(err);
        s.push(
            "v2",
            "booking_commit",
            comment,
            &[],
            &["OS-BOOK-3"],
            BookingInput {
                room_id: Some(ROOM_ID.into()),
                nonce: Some(n),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }

    // read_booking_room (OS-BOOK-2).
    for (comment, book) in [
        (
            "an appointment room: cap 1, max 1",
            ",\"book\":{\"cap\":1,\"max\":1}",
        ),
        ("a class: cap 12, max 2", ",\"book\":{\"cap\":12,\"max\":2}"),
        (
            "the largest values: cap 1000, max 48",
            ",\"book\":{\"cap\":1000,\"max\":48}",
        ),
        (
            "unknown members of book are ignored",
            ",\"book\":{\"max\":1,\"cap\":3,\"x\":true}",
        ),
        ("no book member: not bookable", ""),
        ("book is not an object", ",\"book\":1"),
        ("cap 0", ",\"book\":{\"cap\":0,\"max\":1}"),
        ("cap 1001", ",\"book\":{\"cap\":1001,\"max\":1}"),
        ("max 0", ",\"book\":{\"cap\":1,\"max\":0}"),
        ("max 49", ",\"book\":{\"cap\":1,\"max\":49}"),
        ("cap is a string", ",\"book\":{\"cap\":\"1\",\"max\":1}"),
        ("max is missing", ",\"book\":{\"cap\":1}"),
    ] {
        let text = room_plaintext(book);
        let out = BookOffer::from_room_plaintext(&text)
            .map(|b| BookingExpected {
                cap: Some(i64::from(b.cap)),
                max: Some(i64::from(b.max)),
                ..Default::default()
            })
            .map_err(err);
        s.push(
            "v2",
            "read_booking_room",
            comment,
            &[],
            &["OS-BOOK-2"],
            BookingInput {
                plaintext: Some(text),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }

    // read_booking_request (OS-BOOK-4).
    let me = author(2);
    let seen = format!("\"seen\":\"{}\"", id(0xc1));
    let c5 = commit(5);
    let n4 = nonce(4);
    let requests: Vec<(&str, &[&str], String, String)> = vec![
        (
            "a request for one slot",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!("{seen},\"slots\":[{}],\"commit\":\"{c5}\"", slot(1)),
                &me,
            ),
            me.clone(),
        ),
        (
            "a request for two slots",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!(
                    "{seen},\"slots\":[{},{}],\"commit\":\"{c5}\"",
                    slot(1),
                    slot(2)
                ),
                &me,
            ),
            me.clone(),
        ),
        (
            "an edit: a new commitment and the earlier nonce",
            &["OS-BOOK-4", "OS-BOOK-12"],
            request_plaintext(
                &format!(
                    "{seen},\"slots\":[{}],\"commit\":\"{c5}\",\"reveal\":\"{n4}\"",
                    slot(2)
                ),
                &me,
            ),
            me.clone(),
        ),
        (
            "a cancellation: no slots, the nonce",
            &["OS-BOOK-4", "OS-BOOK-12"],
            request_plaintext(&format!("{seen},\"slots\":[],\"reveal\":\"{n4}\""), &me),
            me.clone(),
        ),
        (
            "members in another order with whitespace are read the same",
            &["OS-BOOK-4"],
            format!(
                "{{ \"commit\": \"{c5}\", \"slots\": [{}], {seen}, \"author\": \"{me}\", \"room\": \"{ROOM_ID}\", \"role\": \"booking\", \"v\": 2 }}",
                slot(1)
            ),
            me.clone(),
        ),
        (
            "not JSON",
            &["OS-BOOK-4"],
            "{\"v\":2,".to_owned(),
            me.clone(),
        ),
        (
            "a member name twice",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!(
                    "{seen},\"slots\":[{}],\"commit\":\"{c5}\",\"commit\":\"{c5}\"",
                    slot(1)
                ),
                &me,
            ),
            me.clone(),
        ),
        (
            "v is 3",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!("{seen},\"slots\":[{}],\"commit\":\"{c5}\"", slot(1)),
                &me,
            )
            .replace("\"v\":2", "\"v\":3"),
            me.clone(),
        ),
        (
            "slots missing",
            &["OS-BOOK-4"],
            request_plaintext(&format!("{seen},\"commit\":\"{c5}\""), &me),
            me.clone(),
        ),
        (
            "seen is a number",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!("\"seen\":1,\"slots\":[{}],\"commit\":\"{c5}\"", slot(1)),
                &me,
            ),
            me.clone(),
        ),
        (
            "a slot is a string",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!("{seen},\"slots\":[\"{}\"],\"commit\":\"{c5}\"", slot(1)),
                &me,
            ),
            me.clone(),
        ),
        (
            "commit is a number",
            &["OS-BOOK-4"],
            request_plaintext(&format!("{seen},\"slots\":[{}],\"commit\":5", slot(1)), &me),
            me.clone(),
        ),
        (
            "role is response",
            &["OS-BOOK-4", "OS-PAYLOAD-8"],
            request_plaintext(
                &format!("{seen},\"slots\":[{}],\"commit\":\"{c5}\"", slot(1)),
                &me,
            )
            .replace("\"booking\"", "\"response\""),
            me.clone(),
        ),
        (
            "another author's request re-posted under this key",
            &["OS-BOOK-4", "OS-PAYLOAD-8"],
            request_plaintext(
                &format!("{seen},\"slots\":[{}],\"commit\":\"{c5}\"", slot(1)),
                &me,
            ),
            author(3),
        ),
        (
            "slots not ascending",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!(
                    "{seen},\"slots\":[{},{}],\"commit\":\"{c5}\"",
                    slot(2),
                    slot(1)
                ),
                &me,
            ),
            me.clone(),
        ),
        (
            "a slot twice",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!(
                    "{seen},\"slots\":[{},{}],\"commit\":\"{c5}\"",
                    slot(1),
                    slot(1)
                ),
                &me,
            ),
            me.clone(),
        ),
        (
            "commit in upper-case hex",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!(
                    "{seen},\"slots\":[{}],\"commit\":\"{}\"",
                    slot(1),
                    c5.to_uppercase()
                ),
                &me,
            ),
            me.clone(),
        ),
        (
            "seen is not 64 hex characters",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!(
                    "\"seen\":\"c1\",\"slots\":[{}],\"commit\":\"{c5}\"",
                    slot(1)
                ),
                &me,
            ),
            me.clone(),
        ),
        (
            "slots without a commitment",
            &["OS-BOOK-4"],
            request_plaintext(&format!("{seen},\"slots\":[{}]", slot(1)), &me),
            me.clone(),
        ),
        (
            "no slots and no nonce",
            &["OS-BOOK-4"],
            request_plaintext(&format!("{seen},\"slots\":[]"), &me),
            me.clone(),
        ),
        (
            "no slots but a commitment",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!("{seen},\"slots\":[],\"commit\":\"{c5}\",\"reveal\":\"{n4}\""),
                &me,
            ),
            me.clone(),
        ),
        (
            "49 slots",
            &["OS-BOOK-4"],
            request_plaintext(
                &format!(
                    "{seen},\"slots\":[{}],\"commit\":\"{c5}\"",
                    (0..49)
                        .map(|i| slot(i).to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                &me,
            ),
            me.clone(),
        ),
    ];
    for (comment, reqs, text, who) in requests {
        let out = BookingRequest::parse(&text, ROOM_ID, &who)
            .map(|r| BookingExpected {
                seen: Some(r.seen),
                slots: Some(r.slots),
                commit: r.commit.map(|c| c.0),
                reveal: r.reveal,
                ..Default::default()
            })
            .map_err(err);
        s.push(
            "v2",
            "read_booking_request",
            comment,
            &[],
            reqs,
            BookingInput {
                room_id: Some(ROOM_ID.into()),
                author: Some(who),
                plaintext: Some(text),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }

    // decide_bookings (OS-BOOK-8 to OS-BOOK-15).
    for (comment, flags, reqs, input) in decide_cases() {
        let (out, inter) = decide(&input);
        s.push(
            "v2",
            "decide_bookings",
            comment,
            flags,
            reqs,
            input,
            Some(inter),
            out,
            Expect::Reference,
        );
    }

    // booking_status (OS-BOOK-6).
    let manifest = ManifestData {
        booked: booked(&[(slot(1), &[1, 2]), (slot(2), &[2])]),
        held: vec![],
        refused: [
            (3, "book-full"),
            (4, "book-stale"),
            (5, "book-past"),
            (6, "book-too-many"),
            (7, "book-receipt"),
            (8, "book-spent"),
            (9, "book-withdrawn"),
        ]
        .into_iter()
        .map(|(c, code)| RefusedEntry {
            commit: commit(c),
            code: code.into(),
        })
        .collect(),
        spent: vec![commit(10)],
    };
    let mut m = manifest.clone();
    m.refused.sort_by(|a, b| a.commit.cmp(&b.commit));
    for (comment, c, req) in [
        ("confirmed at one slot", 1, "OS-BOOK-6"),
        ("confirmed at two slots", 2, "OS-BOOK-6"),
        ("cancelled: its nonce was presented", 10, "OS-BOOK-12"),
        ("pending: not in the manifest", 11, "OS-BOOK-6"),
        ("refused: full", 3, "OS-BOOK-11"),
        ("refused: a stale read", 4, "OS-BOOK-11"),
        ("refused: a past slot", 5, "OS-BOOK-11"),
        ("refused: too many slots", 6, "OS-BOOK-11"),
        ("refused: a wrong nonce", 7, "OS-BOOK-12"),
        ("refused: a spent nonce", 8, "OS-BOOK-12"),
        ("withdrawn by the host", 9, "OS-BOOK-14"),
    ] {
        let out = to_manifest(&m)
            .state_of(&Commitment(commit(c)))
            .map(|st| match st {
                BookingState::Confirmed(slots) => BookingExpected {
                    state: Some("confirmed".into()),
                    slots: Some(slots),
                    ..Default::default()
                },
                BookingState::Cancelled => BookingExpected {
                    state: Some("cancelled".into()),
                    ..Default::default()
                },
                BookingState::Pending => BookingExpected {
                    state: Some("pending".into()),
                    ..Default::default()
                },
            })
            .map_err(err);
        s.push(
            "v2",
            "booking_status",
            comment,
            &[],
            &["OS-BOOK-6", req],
            BookingInput {
                manifest: Some(m.clone()),
                commit: Some(commit(c)),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    s.finish()
}

type DecideCase = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    BookingInput,
);

/// The room of the decide cases: slots 0..4 offered, cap 1, max 1.
fn base(requests: Vec<BookingRequestRecord>) -> BookingInput {
    BookingInput {
        room_id: Some(ROOM_ID.into()),
        host: Some(author(1)),
        now: Some(NOW),
        offered: Some((0..4).map(slot).collect()),
        cap: Some(1),
        max: Some(1),
        previous: Some(ManifestData::default()),
        holds: Some(vec![]),
        requests: Some(requests),
        ..Default::default()
    }
}

/// The decide cases, in file order. Exposed for the hand-worked checks.
pub fn decide_cases() -> Vec<DecideCase> {
    let t = NOW + 100;
    let prev_c1 = ManifestData {
        booked: booked(&[(slot(1), &[1])]),
        ..Default::default()
    };
    vec![
        (
            "one request for a free slot is confirmed",
            &["HandWorked"],
            &["OS-BOOK-9", "OS-BOOK-11"],
            base(vec![req(2, 0x21, t, &[slot(1)], Some(1), None)]),
        ),
        (
            "stale read: the slot was removed before the request; refused book-stale",
            &["StaleRead", "HandWorked"],
            &["OS-BOOK-9", "OS-BOOK-11"],
            BookingInput {
                offered: Some(vec![slot(0), slot(2), slot(3)]),
                ..base(vec![req(2, 0x21, t, &[slot(1)], Some(1), None)])
            },
        ),
        (
            "full: the earlier request takes the only seat",
            &["HandWorked"],
            &["OS-BOOK-10", "OS-BOOK-11"],
            base(vec![
                req(3, 0x31, t + 1, &[slot(1)], Some(2), None),
                req(2, 0x21, t, &[slot(1)], Some(1), None),
            ]),
        ),
        (
            "equal created_at: the lower id wins the last seat (higher id arrives first)",
            &["Race", "HandWorked"],
            &["OS-BOOK-10"],
            base(vec![
                req(3, 0xb0, t, &[slot(1)], Some(2), None),
                req(2, 0xa0, t, &[slot(1)], Some(1), None),
            ]),
        ),
        (
            "equal created_at, the other arrival order: the same manifest",
            &["Race", "HandWorked"],
            &["OS-BOOK-9", "OS-BOOK-10"],
            base(vec![
                req(2, 0xa0, t, &[slot(1)], Some(1), None),
                req(3, 0xb0, t, &[slot(1)], Some(2), None),
            ]),
        ),
        (
            "duplicates and an older version of the same author count once",
            &["HandWorked"],
            &["OS-BOOK-8"],
            base(vec![
                req(2, 0x21, t, &[slot(1)], Some(1), None),
                req(2, 0x21, t, &[slot(1)], Some(1), None),
                req(2, 0x20, t - 50, &[slot(2)], Some(9), None),
                req(2, 0x21, t, &[slot(1)], Some(1), None),
            ]),
        ),
        (
            "only the newest request of an author counts",
            &["HandWorked"],
            &["OS-BOOK-8"],
            base(vec![
                req(2, 0x22, t + 5, &[slot(2)], Some(2), None),
                req(2, 0x21, t, &[slot(1)], Some(1), None),
            ]),
        ),
        (
            "a request naming an older room version is judged against the current one",
            &["StaleRead"],
            &["OS-BOOK-9"],
            base(vec![req(2, 0x21, t, &[slot(3)], Some(1), None)]),
        ),
        (
            "cancel with the right nonce: the seat is released and the commitment spent",
            &["Receipt", "HandWorked"],
            &["OS-BOOK-12"],
            BookingInput {
                previous: Some(prev_c1.clone()),
                ..base(vec![req(2, 0x22, t, &[], None, Some(1))])
            },
        ),
        (
            "cancel with a wrong nonce: refused book-receipt, the booking stays",
            &["Receipt", "HandWorked"],
            &["OS-BOOK-12"],
            BookingInput {
                previous: Some(prev_c1.clone()),
                ..base(vec![req(3, 0x31, t, &[], None, Some(7))])
            },
        ),
        (
            "a spent nonce presented again with a new commitment: refused book-spent",
            &["Receipt", "HandWorked"],
            &["OS-BOOK-12"],
            BookingInput {
                previous: Some(ManifestData {
                    spent: vec![commit(1)],
                    ..Default::default()
                }),
                ..base(vec![req(2, 0x23, t, &[slot(2)], Some(3), Some(1))])
            },
        ),
        (
            "a commitment that is spent cannot be confirmed again",
            &["Receipt"],
            &["OS-BOOK-12"],
            BookingInput {
                previous: Some(ManifestData {
                    spent: vec![commit(1)],
                    ..Default::default()
                }),
                ..base(vec![req(2, 0x23, t, &[slot(2)], Some(1), None)])
            },
        ),
        (
            "edit: the nonce releases slot 1, the new commitment takes slot 2",
            &["Receipt", "HandWorked"],
            &["OS-BOOK-12"],
            BookingInput {
                previous: Some(prev_c1.clone()),
                ..base(vec![req(2, 0x22, t, &[slot(2)], Some(3), Some(1))])
            },
        ),
        (
            "cancel by receipt from a second device (another author key)",
            &["Receipt"],
            &["OS-BOOK-12"],
            BookingInput {
                previous: Some(prev_c1.clone()),
                ..base(vec![
                    req(2, 0x21, t - 10, &[slot(1)], Some(1), None),
                    req(4, 0x41, t, &[], None, Some(1)),
                ])
            },
        ),
        (
            "a seat released by an earlier cancellation goes to a later request",
            &["Receipt"],
            &["OS-BOOK-12", "OS-BOOK-10"],
            BookingInput {
                previous: Some(prev_c1.clone()),
                ..base(vec![
                    req(3, 0x31, t + 1, &[slot(1)], Some(2), None),
                    req(2, 0x22, t, &[], None, Some(1)),
                ])
            },
        ),
        (
            "a request for a past slot: refused book-past",
            &["HandWorked"],
            &["OS-BOOK-11"],
            BookingInput {
                offered: Some((-2..4).map(slot).collect()),
                now: Some(slot(0) as u64),
                ..base(vec![req(2, 0x21, t, &[slot(-1)], Some(1), None)])
            },
        ),
        (
            "a request for the slot starting now: refused book-past",
            &[],
            &["OS-BOOK-11"],
            BookingInput {
                now: Some(slot(1) as u64),
                ..base(vec![req(2, 0x21, t, &[slot(1)], Some(1), None)])
            },
        ),
        (
            "two slots when the room allows one: refused book-too-many",
            &[],
            &["OS-BOOK-11"],
            base(vec![req(2, 0x21, t, &[slot(1), slot(2)], Some(1), None)]),
        ),
        (
            "two slots when the room allows two: both confirmed",
            &[],
            &["OS-BOOK-11"],
            BookingInput {
                max: Some(2),
                ..base(vec![req(2, 0x21, t, &[slot(1), slot(2)], Some(1), None)])
            },
        ),
        (
            "two slots, the second full: refused book-full, nothing taken",
            &[],
            &["OS-BOOK-11"],
            BookingInput {
                max: Some(2),
                previous: Some(ManifestData {
                    booked: booked(&[(slot(2), &[7])]),
                    ..Default::default()
                }),
                ..base(vec![req(2, 0x21, t, &[slot(1), slot(2)], Some(1), None)])
            },
        ),
        (
            "the host removed a confirmed slot: book-withdrawn, then the request stays withdrawn",
            &["HostEdit", "HandWorked"],
            &["OS-BOOK-14"],
            BookingInput {
                offered: Some(vec![slot(0), slot(2), slot(3)]),
                previous: Some(prev_c1.clone()),
                ..base(vec![req(2, 0x21, t - 10, &[slot(1)], Some(1), None)])
            },
        ),
        (
            "a withdrawal is carried over while its request counts",
            &["HostEdit"],
            &["OS-BOOK-14"],
            BookingInput {
                offered: Some(vec![slot(0), slot(2), slot(3)]),
                previous: Some(ManifestData {
                    refused: vec![
                        RefusedEntry {
                            commit: commit(1),
                            code: "book-withdrawn".into(),
                        },
                        RefusedEntry {
                            commit: commit(6),
                            code: "book-withdrawn".into(),
                        },
                    ],
                    ..Default::default()
                }),
                ..base(vec![req(2, 0x21, t - 10, &[slot(1)], Some(1), None)])
            },
        ),
        (
            "a multi-slot booking loses both seats when one slot is removed",
            &["HostEdit"],
            &["OS-BOOK-14"],
            BookingInput {
                max: Some(2),
                offered: Some(vec![slot(0), slot(2), slot(3)]),
                previous: Some(ManifestData {
                    booked: booked(&[(slot(1), &[1]), (slot(2), &[1])]),
                    ..Default::default()
                }),
                ..base(vec![req(3, 0x31, t, &[slot(2)], Some(2), None)])
            },
        ),
        (
            "past slots leave the manifest: booked and held",
            &["HandWorked"],
            &["OS-BOOK-15"],
            BookingInput {
                offered: Some((-2..4).map(slot).collect()),
                now: Some(slot(0) as u64),
                previous: Some(ManifestData {
                    booked: booked(&[(slot(-1), &[5]), (slot(0), &[6]), (slot(1), &[1])]),
                    ..Default::default()
                }),
                holds: Some(vec![HoldEntry {
                    slot: slot(-1),
                    seats: 1,
                    code: "YOGA".into(),
                }]),
                ..base(vec![])
            },
        ),
        (
            "a hold takes a seat before requests",
            &["HandWorked"],
            &["OS-BOOK-13"],
            BookingInput {
                cap: Some(2),
                holds: Some(vec![HoldEntry {
                    slot: slot(1),
                    seats: 1,
                    code: "GROUP-7".into(),
                }]),
                ..base(vec![
                    req(2, 0x21, t, &[slot(1)], Some(1), None),
                    req(3, 0x31, t + 1, &[slot(1)], Some(2), None),
                ])
            },
        ),
        (
            "a hold that does not fit beside a confirmed booking: book-hold",
            &[],
            &["OS-BOOK-13"],
            BookingInput {
                previous: Some(prev_c1.clone()),
                holds: Some(vec![HoldEntry {
                    slot: slot(1),
                    seats: 1,
                    code: "LATE".into(),
                }]),
                ..base(vec![])
            },
        ),
        (
            "a hold for a slot the room does not offer: book-hold",
            &[],
            &["OS-BOOK-13"],
            BookingInput {
                holds: Some(vec![HoldEntry {
                    slot: slot(9),
                    seats: 1,
                    code: "X".into(),
                }]),
                ..base(vec![])
            },
        ),
        (
            "a hold with an empty code: book-hold",
            &[],
            &["OS-BOOK-13"],
            BookingInput {
                holds: Some(vec![HoldEntry {
                    slot: slot(1),
                    seats: 1,
                    code: String::new(),
                }]),
                ..base(vec![])
            },
        ),
        (
            "a copied confirmed commitment under another key has no effect",
            &[],
            &["OS-BOOK-9"],
            BookingInput {
                previous: Some(prev_c1.clone()),
                ..base(vec![req(3, 0x31, t, &[slot(2)], Some(1), None)])
            },
        ),
        (
            "a backdated request cannot take a confirmed seat",
            &[],
            &["OS-BOOK-9", "OS-BOOK-10"],
            BookingInput {
                previous: Some(prev_c1),
                ..base(vec![
                    req(2, 0x21, t, &[slot(1)], Some(1), None),
                    req(3, 0x31, 1, &[slot(1)], Some(2), None),
                ])
            },
        ),
        (
            "no requests, empty previous manifest: an empty manifest",
            &[],
            &["OS-BOOK-9"],
            base(vec![]),
        ),
    ]
}
