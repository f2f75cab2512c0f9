//! `booking.json` confirmed by something other than the generator: every
//! case is recomputed by `openslots-oracle` (a second implementation written
//! from spec §19.1, sharing no code with the reference), and the cases
//! flagged `HandWorked` are checked against manifests written out by hand
//! from the steps of §19.1.3.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use openslots_oracle::booking as oracle;
use openslots_vectors::{BookingExpected, BookingInput, Verdict};
use serde_json::{Value, json};

fn manifest(m: &openslots_vectors::ManifestData) -> oracle::Manifest {
    oracle::Manifest {
        booked: m
            .booked
            .iter()
            .map(|b| (b.slot, b.commits.clone()))
            .collect(),
        held: m
            .held
            .iter()
            .map(|h| oracle::Hold {
                slot: h.slot,
                seats: h.seats,
                code: h.code.clone(),
            })
            .collect(),
        refused: m
            .refused
            .iter()
            .map(|r| (r.commit.clone(), r.code.clone()))
            .collect(),
        spent: m.spent.clone(),
    }
}

fn as_json(e: &BookingExpected) -> Value {
    serde_json::to_value(e).unwrap()
}

/// The oracle's outcome for one case, in the vectors' output shape.
fn oracle_outcome(op: &str, i: &BookingInput) -> Result<Value, String> {
    let room_id = i.room_id.clone().unwrap_or_default();
    let fail = |f: openslots_oracle::Fail| f.0.to_owned();
    match op {
        "booking_commit" => oracle::commitment(&room_id, i.nonce.as_deref().unwrap())
            .map(|c| json!({"commit": c}))
            .map_err(fail),
        "read_booking_room" => oracle::read_book(i.plaintext.as_deref().unwrap())
            .map(|b| json!({"cap": b.cap, "max": b.max}))
            .map_err(fail),
        "read_booking_request" => oracle::read_request(
            i.plaintext.as_deref().unwrap(),
            &room_id,
            i.author.as_deref().unwrap(),
        )
        .map(|r| {
            let mut v = json!({"seen": r.seen, "slots": r.slots});
            if let Some(c) = r.commit {
                v["commit"] = json!(c);
            }
            if let Some(n) = r.reveal {
                v["reveal"] = json!(n);
            }
            v
        })
        .map_err(fail),
        "decide_bookings" => {
            let room = oracle::Current {
                room_id: room_id.clone(),
                offered: i.offered.clone().unwrap().into_iter().collect(),
                book: oracle::Book {
                    cap: i.cap.unwrap(),
                    max: i.max.unwrap(),
                },
            };
            let holds: Vec<oracle::Hold> = i
                .holds
                .clone()
                .unwrap()
                .into_iter()
                .map(|h| oracle::Hold {
                    slot: h.slot,
                    seats: h.seats,
                    code: h.code,
                })
                .collect();
            let reqs: Vec<oracle::Request> = i
                .requests
                .clone()
                .unwrap()
                .into_iter()
                .map(|r| oracle::Request {
                    id: r.id,
                    author: r.author,
                    created_at: r.created_at,
                    slots: r.slots,
                    commit: r.commit,
                    reveal: r.reveal,
                })
                .collect();
            let prev = manifest(&i.previous.clone().unwrap());
            oracle::decide(&room, i.now.unwrap() as i64, &prev, &holds, &reqs)
                .map(|m| {
                    json!({
                        "booked": m.booked.iter().map(|(t, cs)| json!({"slot": t, "commits": cs})).collect::<Vec<_>>(),
                        "held": m.held.iter().map(|h| json!({"slot": h.slot, "seats": h.seats, "code": h.code})).collect::<Vec<_>>(),
                        "refused": m.refused.iter().map(|(c, code)| json!({"commit": c, "code": code})).collect::<Vec<_>>(),
                        "spent": m.spent,
                        "payload": oracle::write_manifest(&room_id, i.host.as_deref().unwrap(), &m),
                    })
                })
                .map_err(fail)
        }
        "booking_status" => {
            let m = manifest(i.manifest.as_ref().unwrap());
            oracle::state(&m, i.commit.as_deref().unwrap())
                .map(|s| match s {
                    oracle::State::Confirmed(slots) => {
                        json!({"state": "confirmed", "slots": slots})
                    }
                    oracle::State::Cancelled => json!({"state": "cancelled"}),
                    oracle::State::Pending => json!({"state": "pending"}),
                })
                .map_err(fail)
        }
        other => panic!("unknown operation {other}"),
    }
}

#[test]
fn every_booking_case_is_confirmed_by_the_oracle() {
    let file = openslots_vectors::booking().unwrap();
    let mut n = 0;
    for (_, op, c) in file.cases() {
        let got = oracle_outcome(op, &c.input);
        match c.result {
            Verdict::Valid => assert_eq!(
                got,
                Ok(as_json(c.expected.as_ref().unwrap())),
                "booking tcId {} ({})",
                c.tc_id,
                c.comment
            ),
            Verdict::Invalid => assert_eq!(
                got,
                Err(c.error.clone().unwrap()),
                "booking tcId {} ({})",
                c.tc_id,
                c.comment
            ),
            Verdict::Acceptable => panic!("no acceptable booking case expected"),
        }
        n += 1;
    }
    assert!(n >= 70, "only {n} booking cases");
}

/// The decision does not depend on the order of arrival or on duplicates
/// (OS-BOOK-9): every decide case, reversed and with its first request
/// repeated, gives the file's manifest.
#[test]
fn decisions_do_not_depend_on_arrival_order_or_duplicates() {
    let file = openslots_vectors::booking().unwrap();
    for (_, op, c) in file.cases() {
        if op != "decide_bookings" {
            continue;
        }
        let mut i = c.input.clone();
        let mut reqs = i.requests.take().unwrap();
        reqs.reverse();
        if let Some(first) = reqs.first().cloned() {
            reqs.push(first);
        }
        i.requests = Some(reqs);
        let want = match c.result {
            Verdict::Valid => Ok(as_json(c.expected.as_ref().unwrap())),
            _ => Err(c.error.clone().unwrap()),
        };
        assert_eq!(oracle_outcome(op, &i), want, "tcId {}", c.tc_id);
    }
}

/// The commitment by SHA-256 from `bitcoin_hashes` over a frame built here
/// byte by byte (OS-BOOK-3, OS-BLIND-5).
#[test]
fn commitments_confirmed_by_hand() {
    use bitcoin_hashes::sha256;
    let file = openslots_vectors::booking().unwrap();
    let mut seen = 0;
    for (_, op, c) in file.cases() {
        if op != "booking_commit" || c.result != Verdict::Valid {
            continue;
        }
        let room = c.input.room_id.as_deref().unwrap();
        let nonce = hex::decode(c.input.nonce.as_deref().unwrap()).unwrap();
        let label = b"openslots:v2:receipt";
        let mut msg = Vec::new();
        msg.extend_from_slice(&[0, 0, 0, 20]);
        msg.extend_from_slice(label);
        msg.extend_from_slice(&(room.len() as u32).to_be_bytes());
        msg.extend_from_slice(room.as_bytes());
        msg.extend_from_slice(&[0, 0, 0, 32]);
        msg.extend_from_slice(&nonce);
        assert_eq!(
            c.intermediate.as_ref().unwrap().message.as_deref(),
            Some(hex::encode(&msg).as_str())
        );
        let want = hex::encode(sha256::Hash::hash(&msg).to_byte_array());
        assert_eq!(
            c.expected.as_ref().unwrap().commit.as_deref(),
            Some(want.as_str())
        );
        seen += 1;
    }
    assert!(seen >= 4);
}

/// The `HandWorked` decide cases, each manifest written out from the steps
/// of §19.1.3 by hand: commitments by nonce number, slots by index.
#[test]
fn hand_worked_decisions() {
    let file = openslots_vectors::booking().unwrap();
    // The generator's fixed values, restated: slot i = S0 + 1800 i.
    let s0: i64 = 1_748_847_600;
    let slot = |i: i64| s0 + i * 1800;
    let commit = |i: u8| {
        oracle::commitment(
            "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13",
            &hex::encode([i; 32]),
        )
        .unwrap()
    };
    type Booked = Vec<(i64, Vec<u8>)>;
    type Refused = Vec<(u8, &'static str)>;
    type Held = Vec<(i64, i64, &'static str)>;
    let cases: Vec<(&str, Booked, Refused, Vec<u8>, Held)> = vec![
        (
            "one request for a free slot is confirmed",
            vec![(1, vec![1])],
            vec![],
            vec![],
            vec![],
        ),
        (
            "stale read: the slot was removed before the request; refused book-stale",
            vec![],
            vec![(1, "book-stale")],
            vec![],
            vec![],
        ),
        (
            "full: the earlier request takes the only seat",
            vec![(1, vec![1])],
            vec![(2, "book-full")],
            vec![],
            vec![],
        ),
        (
            "equal created_at: the lower id wins the last seat (higher id arrives first)",
            vec![(1, vec![1])],
            vec![(2, "book-full")],
            vec![],
            vec![],
        ),
        (
            "equal created_at, the other arrival order: the same manifest",
            vec![(1, vec![1])],
            vec![(2, "book-full")],
            vec![],
            vec![],
        ),
        (
            "duplicates and an older version of the same author count once",
            vec![(1, vec![1])],
            vec![],
            vec![],
            vec![],
        ),
        (
            "only the newest request of an author counts",
            vec![(2, vec![2])],
            vec![],
            vec![],
            vec![],
        ),
        (
            "cancel with the right nonce: the seat is released and the commitment spent",
            vec![],
            vec![],
            vec![1],
            vec![],
        ),
        (
            "cancel with a wrong nonce: refused book-receipt, the booking stays",
            vec![(1, vec![1])],
            vec![(7, "book-receipt")],
            vec![],
            vec![],
        ),
        (
            "a spent nonce presented again with a new commitment: refused book-spent",
            vec![],
            vec![(3, "book-spent")],
            vec![1],
            vec![],
        ),
        (
            "edit: the nonce releases slot 1, the new commitment takes slot 2",
            vec![(2, vec![3])],
            vec![],
            vec![1],
            vec![],
        ),
        (
            "a request for a past slot: refused book-past",
            vec![],
            vec![(1, "book-past")],
            vec![],
            vec![],
        ),
        (
            "the host removed a confirmed slot: book-withdrawn, then the request stays withdrawn",
            vec![],
            vec![(1, "book-withdrawn")],
            vec![],
            vec![],
        ),
        (
            "past slots leave the manifest: booked and held",
            vec![(1, vec![1])],
            vec![],
            vec![],
            vec![],
        ),
        (
            "a hold takes a seat before requests",
            vec![(1, vec![1])],
            vec![(2, "book-full")],
            vec![],
            vec![(1, 1, "GROUP-7")],
        ),
    ];
    let mut checked = 0;
    for (_, op, c) in file.cases() {
        if op != "decide_bookings" || !c.flags.iter().any(|f| f == "HandWorked") {
            continue;
        }
        let (_, booked, refused, spent, held) = cases
            .iter()
            .find(|(comment, ..)| *comment == c.comment)
            .unwrap_or_else(|| panic!("no hand-worked manifest for {:?}", c.comment));
        let e = c.expected.as_ref().unwrap();
        let want_booked: Vec<(i64, BTreeSet<String>)> = booked
            .iter()
            .map(|(i, cs)| (slot(*i), cs.iter().map(|n| commit(*n)).collect()))
            .collect();
        let got_booked: Vec<(i64, BTreeSet<String>)> = e
            .booked
            .clone()
            .unwrap()
            .into_iter()
            .map(|b| (b.slot, b.commits.into_iter().collect()))
            .collect();
        assert_eq!(got_booked, want_booked, "{}", c.comment);
        let mut want_refused: Vec<(String, String)> = refused
            .iter()
            .map(|(n, code)| (commit(*n), (*code).to_owned()))
            .collect();
        want_refused.sort();
        let got_refused: Vec<(String, String)> = e
            .refused
            .clone()
            .unwrap()
            .into_iter()
            .map(|r| (r.commit, r.code))
            .collect();
        assert_eq!(got_refused, want_refused, "{}", c.comment);
        let mut want_spent: Vec<String> = spent.iter().map(|n| commit(*n)).collect();
        want_spent.sort();
        assert_eq!(e.spent.clone().unwrap(), want_spent, "{}", c.comment);
        let got_held: Vec<(i64, i64, String)> = e
            .held
            .clone()
            .unwrap()
            .into_iter()
            .map(|h| (h.slot, h.seats, h.code))
            .collect();
        let want_held: Vec<(i64, i64, String)> = held
            .iter()
            .map(|(i, n, code)| (slot(*i), *n, (*code).to_owned()))
            .collect();
        assert_eq!(got_held, want_held, "{}", c.comment);
        checked += 1;
    }
    assert_eq!(checked, cases.len(), "every hand-worked case was found");
}
