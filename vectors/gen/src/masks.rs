//! `masks.json`: masks (spec §10). Expected values of valid cases are worked
//! by hand and stated in each comment; `hand_checks` compares them.

use openslots::mask::{self, MaskError};
use openslots::{Profile, SpecError};
use openslots_vectors::{MaskExpected, MaskFile, MaskInput, Nothing};

use crate::fixtures::{bits, mask as m};
use crate::{Expect, Outcome, Suite};

fn err(e: MaskError) -> String {
    e.code().as_str().to_owned()
}

fn decoded(r: Result<mask::Mask, MaskError>) -> Outcome<MaskExpected> {
    r.map(|x| MaskExpected {
        mask: Some(bits(&x)),
        ..Default::default()
    })
    .map_err(err)
}

pub(crate) fn suite() -> MaskFile {
    let mut s: Suite<MaskInput, Nothing, MaskExpected> = Suite::new("masks");
    s.note("DeployedAccepts", "A conforming reader rejects this input; the deployed app accepts it (PROTOCOL-FACTS §2 and §3): it reads mask characters other than 1 as 0, accepts an empty or over-long mask and does not check a response mask against the room (it counts bits beyond the room's last slot).");
    s.note("DeployedDiffers", "The deployed app gives another value: it counts response bits beyond the room's last slot and at positions the room does not offer (OS-MASK-9).");
    s.note(
        "WordBoundary",
        "A length at a 64-bit word or byte boundary.",
    );
    // decode_v1 (OS-MASK-1).
    for (text, comment, flags) in [
        ("1", "one slot", &[][..]),
        ("101", "bits 0 and 2", &[][..]),
        ("0000", "all zero (a response may be)", &[][..]),
        (&*"1".repeat(64), "64 ones", &["WordBoundary"][..]),
        (
            &*format!("1{}1", "0".repeat(63)),
            "65 slots, bits 0 and 64",
            &["WordBoundary"][..],
        ),
        ("", "empty", &[][..]),
        ("10a1", "a stray letter", &["DeployedAccepts"][..]),
        (" 101", "a leading space", &["DeployedAccepts"][..]),
        ("1012", "a '2'", &["DeployedAccepts"][..]),
        ("１０", "full-width digits", &["DeployedAccepts"][..]),
        (
            &*"1".repeat(65_536),
            "65536 characters: over the limit",
            &[][..],
        ),
    ] {
        s.push(
            "v1",
            "decode_v1",
            comment,
            flags,
            &["OS-MASK-1"],
            MaskInput {
                text: Some(text.into()),
                ..Default::default()
            },
            None,
            decoded(mask::decode_v1(text)),
            Expect::Reference,
        );
    }
    // decode_v2 (OS-MASK-5, OS-MASK-6).
    for (n, b, comment, req) in [
        (3i64, "oA==", "n=3, bits 0 and 2: byte 0xA0", "OS-MASK-6"),
        (9, "gIA=", "n=9, bits 0 and 8: bytes 80 80", "OS-MASK-5"),
        (16, "//8=", "n=16, all ones", "OS-MASK-5"),
        (8, "AA==", "n=8, all zero", "OS-MASK-5"),
        (1, "gA==", "n=1, the one bit set", "OS-MASK-5"),
        (
            3,
            "oQ==",
            "n=3 with bit 7 of the byte set: trailing bits",
            "OS-MASK-5",
        ),
        (
            3,
            "oB==",
            "non-canonical base64 (non-zero unused bits)",
            "OS-MASK-5",
        ),
        (3, "oA", "missing padding", "OS-MASK-5"),
        (16, "-_8=", "URL-safe alphabet", "OS-MASK-5"),
        (3, "oA==\n", "trailing newline", "OS-MASK-5"),
        (3, "oAA=", "two bytes for three slots", "OS-MASK-5"),
        (16, "/w==", "one byte for sixteen slots", "OS-MASK-5"),
        (0, "", "n = 0", "OS-MASK-6"),
        (35_136, "", "n at the limit but no bytes", "OS-MASK-5"),
        (35_137, "AA==", "n over 35136", "OS-MASK-6"),
    ] {
        let out = decoded(
            u64::try_from(n)
                .map_err(|_| MaskError::Length {
                    requirement: "OS-MASK-6",
                })
                .and_then(|n| mask::decode_v2(n, b)),
        );
        s.push(
            "v2",
            "decode_v2",
            comment,
            &[],
            &[req],
            MaskInput {
                n: Some(n),
                b: Some(b.into()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    // encode (round trip of the canonical forms).
    for bitsv in [
        "1",
        "101",
        "1100000000000000000000000000000000000000000000011",
        &"1".repeat(65),
        "0000000010",
    ] {
        let x = m(bitsv);
        s.push(
            "v1",
            "encode_v1",
            format!("{} slots", x.len()),
            &[],
            &["OS-MASK-1"],
            MaskInput {
                mask: Some(bitsv.into()),
                ..Default::default()
            },
            None,
            Ok(MaskExpected {
                text: Some(mask::encode_v1(&x)),
                ..Default::default()
            }),
            Expect::Reference,
        );
        let (n, b) = mask::encode_v2(&x);
        s.push(
            "v2",
            "encode_v2",
            format!("{} slots, bit-packed MSB first", x.len()),
            &[],
            &["OS-MASK-5"],
            MaskInput {
                mask: Some(bitsv.into()),
                ..Default::default()
            },
            None,
            Ok(MaskExpected {
                n: i64::try_from(n).ok(),
                b: Some(b),
                ..Default::default()
            }),
            Expect::Reference,
        );
    }
    // validate_room (OS-MASK-2).
    for (bitsv, comment) in [
        ("1", "one offered slot"),
        ("1001", "first and last set"),
        ("0110", "first clear"),
        ("1100", "last clear"),
        ("000", "nothing offered"),
    ] {
        validate_room_both(&mut s, bitsv, comment);
    }
    // validate_response_v1 (OS-MASK-3).
    for (room, resp, comment, flags) in [
        ("1101", "0100", "same length", &[][..]),
        (
            "1101",
            "01001",
            "one slot longer (the deployed app counts it)",
            &["DeployedAccepts"][..],
        ),
        ("1101", "010", "one slot shorter", &["DeployedAccepts"][..]),
    ] {
        let out = mask::validate_response_v1(&m(room), &m(resp))
            .map(|()| MaskExpected {
                mask: Some(resp.into()),
                ..Default::default()
            })
            .map_err(err);
        s.push(
            "v1",
            "validate_response_v1",
            comment,
            flags,
            &["OS-MASK-3"],
            MaskInput {
                room: Some(room.into()),
                response: Some(resp.into()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    // room_from_slots (OS-MASK-4).
    for (profile, p, slots, comment) in [
        (
            "v1",
            Profile::V1,
            vec![1000i64, 2800, 6400],
            "start 1000, indices 0, 1, 3: 1101",
        ),
        (
            "v2",
            Profile::V2,
            vec![1000, 2800, 6400],
            "start 1000, indices 0, 1, 3: 1101",
        ),
        (
            "v1",
            Profile::V1,
            vec![0, 900, 3600],
            "900 s is off the grid: floored into index 0 (deployed behaviour): 101",
        ),
        (
            "v2",
            Profile::V2,
            vec![0, 900, 3600],
            "900 s is off the grid",
        ),
        (
            "v1",
            Profile::V1,
            vec![504_847_800, 504_849_600, 504_933_300, 504_935_100],
            "Kathmandu 1986: the second date's slots floor onto the grid",
        ),
        (
            "v2",
            Profile::V2,
            vec![504_847_800, 504_849_600, 504_933_300, 504_935_100],
            "Kathmandu 1986: off the grid",
        ),
        ("v1", Profile::V1, vec![], "no slots"),
        (
            "v2",
            Profile::V2,
            vec![0, 35_136 * 1800],
            "35137 slots of span: over the v2 limit",
        ),
        (
            "v2",
            Profile::V2,
            vec![0, 35_135 * 1800],
            "35136 slots of span: at the v2 limit",
        ),
        (
            "v1",
            Profile::V1,
            vec![0, 65_535 * 1800],
            "65536 slots of span: over the v1 limit",
        ),
        (
            "v1",
            Profile::V1,
            vec![i64::MIN, i64::MAX],
            "the whole i64 range",
        ),
    ] {
        // The deployed app's buildSlotMask length off the grid is the v1
        // rule (OS-MASK-4): the Kathmandu case ends in `110`.
        room_from_slots_case(&mut s, profile, p, &slots, comment);
    }
    // rebase (OS-MASK-7).
    let room = "11111";
    for (resp_start, resp, comment) in [
        (0i64, "10100", "same start"),
        (1800, "1010", "one slot later: room positions 1 and 3"),
        (-1800, "01010", "one slot earlier: room positions 0 and 2"),
        (7200, "1111", "partly beyond the room: positions 4 only"),
        (900, "1", "900 s off the grid"),
        (
            1_000_000_000,
            "1",
            "1,000,000,000 s later: not a multiple of 1800, off the grid",
        ),
    ] {
        let out = mask::rebase(&m(resp), resp_start, 0, room.len())
            .map(|x| MaskExpected {
                mask: Some(bits(&m(room).intersect(&x))),
                ..Default::default()
            })
            .map_err(err);
        s.push(
            "v2",
            "rebase",
            comment,
            &[],
            &["OS-MASK-7", "OS-MASK-11"],
            MaskInput {
                room: Some(room.into()),
                response: Some(resp.into()),
                response_start: Some(resp_start),
                room_start: Some(0),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    // aggregate (OS-MASK-8, OS-MASK-9).
    for (room, responses, comment, flags) in [
        (
            "1101",
            vec!["1100", "0101", "1111"],
            "counts 2, 3, 0 (not offered), 2",
            &[][..],
        ),
        ("1101", vec![], "no responses", &[][..]),
        (
            "1101",
            vec!["00101", "1"],
            "longer and shorter responses: extra bits ignored",
            &["DeployedDiffers"][..],
        ),
        ("1", vec!["1"; 300], "300 participants on one slot", &[][..]),
        (
            &*format!("1{}1", "0".repeat(62)),
            vec![&*"1".repeat(64), "1"],
            "64 slots, word boundary",
            &["WordBoundary"][..],
        ),
    ] {
        let rm = m(room);
        let rs: Vec<mask::Mask> = responses.iter().map(|r| m(r)).collect();
        let refs: Vec<&mask::Mask> = rs.iter().collect();
        let counts = mask::aggregate(&rm, &refs);
        s.push(
            "any",
            "aggregate",
            comment,
            flags,
            &["OS-MASK-8", "OS-MASK-9"],
            MaskInput {
                room: Some(room.into()),
                responses: Some(responses.iter().map(|r| (*r).to_owned()).collect()),
                ..Default::default()
            },
            None,
            Ok(MaskExpected {
                counts: Some(counts),
                ..Default::default()
            }),
            Expect::Reference,
        );
    }
    // choose_response (OS-MASK-10): the room offers 11011 from 1000.
    let room = "11011";
    for (chosen, comment) in [
        (
            vec![1000i64, 8200],
            "the first and the last offered slot: 10001",
        ),
        (vec![], "nothing chosen"),
        (vec![4600], "10:00 is inside the span but not offered"),
        (vec![1900], "off the grid"),
        (vec![9999], "after the room"),
    ] {
        let payload = openslots::payload::RoomPayload {
            title: String::new(),
            start: 1000,
            mask: m(room),
        };
        let out = openslots::payload::ResponsePayload::choose(&payload, Profile::V1, "", &chosen)
            .map(|r| MaskExpected {
                mask: Some(bits(&r.mask)),
                ..Default::default()
            })
            .map_err(|e| e.code().as_str().to_owned());
        s.push(
            "any",
            "choose_response",
            comment,
            &[],
            &["OS-MASK-10"],
            MaskInput {
                room: Some(room.into()),
                room_start: Some(1000),
                chosen: Some(chosen),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    // rebase at positions the room does not offer (OS-MASK-11): cleared.
    // Appended after the other groups so that earlier case ids stay put.
    for (room, resp_start, resp, comment) in [
        (
            "10101",
            0i64,
            "11111",
            "same start, the room offers 10101: the unoffered positions 1 and 3 are cleared: 10101",
        ),
        (
            "10101",
            1800,
            "0111",
            "one slot later onto room positions 2, 3, 4; 3 is not offered: 00101",
        ),
        (
            "11111",
            999_999_000,
            "1",
            "999,999,000 s later, on the grid but far beyond the room: 00000",
        ),
    ] {
        let out = mask::rebase(&m(resp), resp_start, 0, room.len())
            .map(|x| MaskExpected {
                mask: Some(bits(&m(room).intersect(&x))),
                ..Default::default()
            })
            .map_err(err);
        s.push(
            "v2",
            "rebase",
            comment,
            &[],
            &["OS-MASK-7", "OS-MASK-9", "OS-MASK-11"],
            MaskInput {
                room: Some(room.into()),
                response: Some(resp.into()),
                response_start: Some(resp_start),
                room_start: Some(0),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    found_by_fuzzing(&mut s);
    deployed_length(&mut s);
    s.finish()
}

/// A mask from `0`/`1` of any length, the empty one included (an
/// operation's input given as positions).
fn positions(b: &str) -> mask::Mask {
    mask::Mask::from_bools(&b.bytes().map(|c| c == b'1').collect::<Vec<_>>())
}

/// Inputs on which differential fuzzing found two implementations
/// disagreeing, each settled by the spec: the first step of §10.3 comes
/// first (OS-MASK-13), and `rebase` keeps only offered positions whatever
/// the sign of the starts (OS-MASK-11).
fn found_by_fuzzing(s: &mut Suite<MaskInput, Nothing, MaskExpected>) {
    for (profile, p) in [("v1", Profile::V1), ("v2", Profile::V2)] {
        let out = mask::check_room(&positions(""), p)
            .map(|()| MaskExpected::default())
            .map_err(err);
        assert_eq!(out, Err("mask-length".to_owned()));
        s.push(
            profile,
            "validate_room",
            "no position: mask-length (step 1 of §10.3 comes before the trim check)",
            &[],
            &["OS-MASK-1", "OS-MASK-13"],
            MaskInput {
                mask: Some(String::new()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    for (profile, p) in [("v1", Profile::V1), ("v2", Profile::V2)] {
        let out = mask::check_room(&positions("1"), p)
            .map(|()| MaskExpected {
                mask: Some("1".into()),
                ..Default::default()
            })
            .map_err(err);
        assert!(out.is_ok());
        s.push(
            profile,
            "validate_room",
            "one offered position passes every step of §10.3: 1",
            &[],
            &["OS-MASK-2", "OS-MASK-13"],
            MaskInput {
                mask: Some("1".into()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
    let out = mask::check_response(&positions(""), Profile::V1)
        .and_then(|()| mask::validate_response_v1(&positions(""), &positions("")))
        .map(|()| MaskExpected::default())
        .map_err(err);
    assert_eq!(out, Err("mask-length".to_owned()));
    s.push(
        "v1",
        "validate_response_v1",
        "empty response against an empty room: mask-length (step 1), though the lengths are equal",
        &[],
        &["OS-MASK-1", "OS-MASK-13"],
        MaskInput {
            room: Some(String::new()),
            response: Some(String::new()),
            ..Default::default()
        },
        None,
        out,
        Expect::Reference,
    );
    // Response start -3600, room start -9000: k = 3, response position 0 is
    // room position 3.
    for (room, want, comment) in [
        (
            "0000",
            "0000",
            "negative starts, k = 3: room position 3 is not offered, cleared",
        ),
        (
            "1001",
            "0001",
            "negative starts, k = 3: room position 3 is offered, kept",
        ),
    ] {
        let out = mask::rebase(&m("1"), -3600, -9000, room.len())
            .map(|x| MaskExpected {
                mask: Some(bits(&positions(room).intersect(&x))),
                ..Default::default()
            })
            .map_err(err);
        assert_eq!(
            out.as_ref().ok().and_then(|o| o.mask.as_deref()),
            Some(want),
            "{comment}"
        );
        s.push(
            "v2",
            "rebase",
            comment,
            &[],
            &["OS-MASK-7", "OS-MASK-11"],
            MaskInput {
                room: Some(room.into()),
                response: Some("1".into()),
                response_start: Some(-3600),
                room_start: Some(-9000),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

/// The deployed app's v1 room-mask length off the grid (OS-MASK-4, spec
/// §10.2): ceil((last - start + 1800) / 1800), so a v1 room mask may end in
/// `10`, which a v1 reader accepts and a v2 reader refuses (OS-MASK-2). The
/// slot cases are the hand-worked examples of §10.2.
fn deployed_length(s: &mut Suite<MaskInput, Nothing, MaskExpected>) {
    let t = 1_748_851_200;
    for (slots, comment) in [
        (
            vec![t, t + 900],
            "two slots in one half hour: 10 in v1 (ceil(2700 / 1800) = 2 positions)",
        ),
        (
            vec![t, t + 2700],
            "slots 0 and 2700 s: 110 in v1 (ceil(4500 / 1800) = 3 positions)",
        ),
        (
            vec![t, t + 3600],
            "slots 0 and 3600 s, on the grid: 101 in both profiles",
        ),
    ] {
        for (profile, p) in [("v1", Profile::V1), ("v2", Profile::V2)] {
            room_from_slots_case(s, profile, p, &slots, comment);
        }
    }
    for (bitsv, comment) in [
        (
            "10",
            "ends in 10: one clear position after the last slot (v1 accepts, v2 refuses)",
        ),
        (
            "110",
            "ends in 110: the deployed app's mask for slots 0 and 2700 s",
        ),
        (
            "1010",
            "ends in 1010: the last set position is followed by one clear one",
        ),
    ] {
        validate_room_both(s, bitsv, comment);
    }
}

/// A `validate_room` case in each profile (OS-MASK-2): the trim rule differs
/// between them only for a v1 mask ending in `10`.
fn validate_room_both(s: &mut Suite<MaskInput, Nothing, MaskExpected>, bitsv: &str, comment: &str) {
    for (profile, p) in [("v1", Profile::V1), ("v2", Profile::V2)] {
        let out = mask::validate_room(&m(bitsv), p)
            .map(|()| MaskExpected {
                mask: Some(bitsv.into()),
                ..Default::default()
            })
            .map_err(err);
        s.push(
            profile,
            "validate_room",
            comment,
            &[],
            &["OS-MASK-2"],
            MaskInput {
                mask: Some(bitsv.into()),
                ..Default::default()
            },
            None,
            out,
            Expect::Reference,
        );
    }
}

/// A `room_from_slots` case (OS-MASK-4) with the reference's outcome.
fn room_from_slots_case(
    s: &mut Suite<MaskInput, Nothing, MaskExpected>,
    profile: &str,
    p: Profile,
    slots: &[i64],
    comment: &str,
) {
    let out = mask::room_mask_from_slots(slots, p)
        .map(|(start, x)| MaskExpected {
            start: Some(start),
            mask: Some(bits(&x)),
            ..Default::default()
        })
        .map_err(err);
    s.push(
        profile,
        "room_from_slots",
        comment,
        &[],
        &["OS-MASK-4"],
        MaskInput {
            slots: Some(slots.to_vec()),
            ..Default::default()
        },
        None,
        out,
        Expect::Reference,
    );
}
