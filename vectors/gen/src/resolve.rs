//! `lww.json` and `resolution.json`: last-write-wins (spec §13) and
//! resolution (spec §14), from event sets as relays would deliver them.

use nostr::event::{Event, EventId, Kind, Tag};
use nostr::key::Keys;
use openslots::event::{self, RoomContext};
use openslots::payload::{Binding, ResponsePayload, RoomPayload};
use openslots::{Profile, resolution};
use openslots_vectors::{
    ParticipantExpected, Rejected, ResolveExpected, ResolveFile, ResolveInput, ResolveIntermediate,
    WireEvent,
};

use crate::events::{ctx, wire};
use crate::fixtures::{ROOM_ID, keys, mask, v1_link, v2_link};
use crate::{Expect, Suite};

type ResolveSuite = Suite<ResolveInput, ResolveIntermediate, ResolveExpected>;

const START: i64 = 1_748_851_200;
const NOW: u64 = 1_748_100_000;
const ROOM_MASK: &str = "11011";

/// Builds the events of one room.
struct Room {
    link: String,
    ctx: RoomContext,
    host: Keys,
}

impl Room {
    fn v1() -> Self {
        let link = v1_link();
        Self {
            ctx: ctx(&link),
            link,
            host: keys(1),
        }
    }

    fn v2() -> Self {
        let host = keys(1);
        let link = v2_link(&host);
        Self {
            ctx: ctx(&link),
            link,
            host,
        }
    }

    fn profile(&self) -> Profile {
        self.ctx.profile()
    }

    fn room_by(&self, signer: &Keys, title: &str, bits: &str, at: u64, n: u8) -> Event {
        let payload = RoomPayload {
            title: title.into(),
            start: START,
            mask: mask(bits),
        };
        let author = signer.public_key().to_hex();
        // A v2 room by another key is built by hand: the builder refuses it.
        let plaintext = payload
            .to_json(
                self.profile(),
                &Binding {
                    room_id: ROOM_ID,
                    author: &author,
                },
            )
            .unwrap_or_default();
        let content = openslots::cipher::encrypt_with_nonce(
            &self.ctx.keys.enc,
            plaintext.as_bytes(),
            &[n; 32],
        )
        .unwrap_or_default();
        let tags = match self.profile() {
            Profile::V1 => event::room_tags_v1(&self.ctx.room_d),
            Profile::V2 => event::room_tags_v2(&self.ctx.room_d, self.expiration()),
        };
        sign(signer, at, tags, content, n)
    }

    fn room(&self, title: &str, at: u64, n: u8) -> Event {
        self.room_by(&self.host, title, ROOM_MASK, at, n)
    }

    fn expiration(&self) -> u64 {
        event::v2_expiration(START, &mask(ROOM_MASK)).unwrap_or(0)
    }

    #[allow(clippy::too_many_arguments)]
    fn response(
        &self,
        signer: &Keys,
        room: &Event,
        name: &str,
        start: i64,
        bits: &str,
        at: u64,
        n: u8,
    ) -> Event {
        let payload = ResponsePayload {
            name: name.into(),
            start: (self.profile() == Profile::V2).then_some(start),
            mask: mask(bits),
        };
        match self.ctx.build_response_event(
            signer,
            &payload,
            &room.id,
            self.expiration(),
            at,
            &[n; 32],
            &[n; 32],
        ) {
            Ok((e, _)) => e,
            Err(_) => unreachable!("generator responses build"),
        }
    }
}

fn sign(signer: &Keys, at: u64, tags: Vec<Vec<String>>, content: String, n: u8) -> Event {
    match event::sign(signer, at, tags, content, &[n; 32]) {
        Ok(e) => e,
        Err(_) => unreachable!("generator tags are non-empty"),
    }
}

/// The same event with its signature's last byte changed.
fn bad_sig(e: &Event) -> Event {
    let mut sig = *e.sig.as_bytes();
    sig[63] ^= 1;
    let sig = match nostr::event::Signature::from_slice(&sig) {
        Ok(s) => s,
        Err(_) => unreachable!("64 bytes"),
    };
    Event::new(
        e.id,
        e.pubkey,
        e.created_at,
        e.kind,
        e.tags.clone().to_vec(),
        e.content.clone(),
        sig,
    )
}

/// The same event with `created_at` moved but the old id and signature kept.
fn wrong_id(e: &Event, at: u64) -> Event {
    Event::new(
        e.id,
        e.pubkey,
        nostr::types::Timestamp::from_secs(at),
        e.kind,
        e.tags.clone().to_vec(),
        e.content.clone(),
        e.sig,
    )
}

/// A correctly signed event of another kind with the same tags and content.
fn other_kind(e: &Event, signer: &Keys, n: u8) -> Event {
    let tags: Vec<Tag> = e.tags.clone().to_vec();
    let unsigned = nostr::event::UnsignedEvent::new(
        signer.public_key(),
        e.created_at,
        Kind::from(30_030u16),
        tags,
        e.content.clone(),
    );
    let id = unsigned.compute_id();
    let secp = secp256k1::Secp256k1::new();
    let sig = signer.sign_schnorr_with_aux_rand(&secp, id.as_bytes(), &[n; 32]);
    Event::new(
        id,
        unsigned.pubkey,
        unsigned.created_at,
        unsigned.kind,
        unsigned.tags.to_vec(),
        unsigned.content,
        sig,
    )
}

fn tags_of(e: &Event) -> Vec<Vec<String>> {
    e.tags.iter().map(|t| t.as_slice().to_vec()).collect()
}

fn push(
    s: &mut ResolveSuite,
    room: &Room,
    comment: &str,
    flags: &[&str],
    reqs: &[&str],
    events: Vec<Event>,
    now: u64,
) {
    push_with(s, room, comment, flags, reqs, events, Vec::new(), now);
}

/// [`push`] with `malformed`: events as a relay could send them that are not
/// well-formed events (spec §14.2). They carry the room d-tag, so each is a
/// room candidate that step 1 of §11.4 rejects with `event-json`; they are
/// sent first, before the well-formed events.
#[allow(clippy::too_many_arguments)]
fn push_with(
    s: &mut ResolveSuite,
    room: &Room,
    comment: &str,
    flags: &[&str],
    reqs: &[&str],
    events: Vec<Event>,
    malformed: Vec<WireEvent>,
    now: u64,
) {
    let profile = if room.profile() == Profile::V1 {
        "v1"
    } else {
        "v2"
    };
    let (outcome, intermediate) = match resolution::resolve(&room.ctx, &events, now) {
        Ok(r) => {
            let mut rejected: Vec<Rejected> = r
                .rejected
                .iter()
                .map(|(id, f)| Rejected {
                    id: id.to_hex(),
                    error: f.code.as_str().to_owned(),
                })
                .collect();
            for w in &malformed {
                rejected.push(Rejected {
                    id: w.id.clone(),
                    error: "event-json".to_owned(),
                });
            }
            rejected.sort_by(|a, b| a.id.cmp(&b.id));
            let superseded = r.superseded.iter().map(EventId::to_hex).collect();
            let expected = ResolveExpected {
                room_event_id: r.room_event_id.to_hex(),
                host: r.host.to_hex(),
                title: r.room.title.clone(),
                slots: r.slots.clone(),
                participants: r
                    .participants
                    .iter()
                    .map(|p| ParticipantExpected {
                        pubkey: p.pubkey.to_hex(),
                        event_id: p.event_id.to_hex(),
                        name: p.name.clone(),
                        available: p.available.clone(),
                    })
                    .collect(),
                counts: r.counts.clone(),
            };
            (
                Ok(expected),
                ResolveIntermediate {
                    room_d_tag: room.ctx.room_d.clone(),
                    rejected,
                    superseded,
                },
            )
        }
        Err(e) => {
            let rejected = e
                .rejected
                .iter()
                .map(|(id, f)| Rejected {
                    id: id.to_hex(),
                    error: f.code.as_str().to_owned(),
                })
                .collect();
            (
                Err("room-not-found".to_owned()),
                ResolveIntermediate {
                    room_d_tag: room.ctx.room_d.clone(),
                    rejected,
                    superseded: Vec::new(),
                },
            )
        }
    };
    // The deployed app reads v1 only, and shows no view when resolution fails.
    let flags: Vec<&str> = flags
        .iter()
        .copied()
        .filter(|f| *f != "DeployedDiffers" || (profile == "v1" && outcome.is_ok()))
        .collect();
    s.push(
        profile,
        "resolve",
        comment,
        &flags,
        reqs,
        ResolveInput {
            link: Some(room.link.clone()),
            now: Some(now),
            events: Some(
                malformed
                    .into_iter()
                    .chain(events.iter().map(wire))
                    .collect(),
            ),
        },
        Some(intermediate),
        outcome,
        Expect::Reference,
    );
}

fn notes(s: &mut ResolveSuite) {
    s.note("DeployedDiffers", "A valid v1 case whose view the deployed app shows differently (spec Appendix B.2): it keeps the newest room event before checking it (\"room not found\" when that one is invalid), lets a newer invalid response replace a valid one, resolves responses with equal created_at by arrival (the later wins), reads no expiration, does not check a response's d-tag against its author (a re-posted response is a participant), drops a genuine event whose id it first received in a bad-signature copy (nostr-tools marks the id as seen before verifying, OS-LWW-6), and shows titles and names trimmed, a blank title as 'Untitled' and a blank name as 'Anonymous' (OS-PAYLOAD-10, OS-PAYLOAD-11).");
    s.note(
        "DeployedAccepts",
        "An invalid v1 case whose room the deployed app shows (spec Appendix B.2): it reads no expiration, so a room version that has expired is shown as the room (OS-EXPIRY-3, OS-LWW-7).",
    );
    s.note(
        "Hijack",
        "Someone other than the host publishes under the room's d-tag (hazard 1).",
    );
    s.note(
        "Tie",
        "Two versions share created_at: the lowest id wins (OS-LWW-1).",
    );
}

pub(crate) fn lww_suite() -> ResolveFile {
    let mut s = Suite::new("lww");
    notes(&mut s);
    for room in [Room::v1(), Room::v2()] {
        let a = room.room("Version A", 1000, 1);
        let b = room.room("Version B", 2000, 2);
        push(
            &mut s,
            &room,
            "the newer room version wins",
            &[],
            &["OS-LWW-1"],
            vec![a.clone(), b.clone()],
            NOW,
        );
        push(
            &mut s,
            &room,
            "the newer room version wins in either order",
            &[],
            &["OS-LWW-1", "OS-LWW-3"],
            vec![b.clone(), a.clone()],
            NOW,
        );
        let t1 = room.room("Tie one", 3000, 3);
        let t2 = room.room("Tie two", 3000, 4);
        push(
            &mut s,
            &room,
            "equal created_at: the lowest id wins",
            &["Tie"],
            &["OS-LWW-1"],
            vec![t1.clone(), t2.clone()],
            NOW,
        );
        push(
            &mut s,
            &room,
            "equal created_at, other order",
            &["Tie"],
            &["OS-LWW-1", "OS-LWW-3"],
            vec![t2.clone(), t1.clone()],
            NOW,
        );
        push(
            &mut s,
            &room,
            "duplicates from several relays count once",
            &[],
            &["OS-LWW-3"],
            vec![a.clone(), b.clone(), a.clone(), b.clone(), b.clone()],
            NOW,
        );
        push(
            &mut s,
            &room,
            "a newer version with a bad signature is rejected; the older one wins",
            &[],
            &["OS-LWW-2", "OS-EVENT-8"],
            vec![a.clone(), bad_sig(&b)],
            NOW,
        );
        push(
            &mut s,
            &room,
            "a copy of the winner with a bad signature does not hide it (its id has a valid copy: not listed as rejected)",
            &["DeployedDiffers"],
            &["OS-LWW-2", "OS-LWW-3", "OS-LWW-6"],
            vec![bad_sig(&b), b.clone(), a.clone()],
            NOW,
        );
        push(
            &mut s,
            &room,
            "a copy of the room with a newer created_at and the old id fails and does not win (its id has a valid copy: not listed as rejected)",
            &[],
            &["OS-LWW-2", "OS-EVENT-7"],
            vec![a.clone(), wrong_id(&a, 5000)],
            NOW,
        );
        let junk = sign(
            &room.host,
            4000,
            tags_of(&a),
            "not a NIP-44 payload".into(),
            5,
        );
        push(
            &mut s,
            &room,
            "a newer undecryptable version is rejected; the older one wins",
            &["DeployedDiffers"],
            &["OS-LWW-2", "OS-RES-2", "OS-CIPHER-4"],
            vec![a.clone(), junk],
            NOW,
        );
        let kind = other_kind(&b, &room.host, 6);
        push(
            &mut s,
            &room,
            "an event of another kind under the d-tag is rejected",
            &[],
            &["OS-LWW-2", "OS-EVENT-1"],
            vec![a.clone(), kind],
            NOW,
        );
        // Expiry: v2 events carry an expiration; v1 events get one by hand.
        let exp = room.expiration();
        if room.profile() == Profile::V2 {
            push(
                &mut s,
                &room,
                "every version expired: room not found",
                &[],
                &["OS-EXPIRY-3", "OS-RES-2", "OS-LWW-2"],
                vec![a.clone(), b.clone()],
                exp + 1,
            );
        }
        let junk2 = sign(&room.host, 4500, tags_of(&a), "AAAA".repeat(40), 40);
        push(
            &mut s,
            &room,
            "only invalid versions: room not found",
            &[],
            &["OS-LWW-2", "OS-RES-2"],
            vec![bad_sig(&b), junk2, wrong_id(&a, 6000)],
            NOW,
        );
        let other = keys(7);
        let hijack = room.room_by(&other, "Hijacked", ROOM_MASK, 9000, 7);
        let reqs: &[&str] = if room.profile() == Profile::V2 {
            &["OS-LWW-4", "OS-EVENT-11"]
        } else {
            &["OS-LWW-4"]
        };
        push(
            &mut s,
            &room,
            "another author publishes a newer room under the d-tag (v1: it wins; v2: rejected)",
            &["Hijack"],
            reqs,
            vec![a.clone(), hijack],
            NOW,
        );
        // Responses.
        let alice = keys(2);
        let r1 = room.response(&alice, &a, "Alice v1", START, "11000", 1100, 11);
        let r2 = room.response(&alice, &a, "Alice v2", START, "00011", 1200, 12);
        push(
            &mut s,
            &room,
            "a participant's newer response wins",
            &[],
            &["OS-LWW-1", "OS-LWW-5"],
            vec![a.clone(), r2.clone(), r1.clone()],
            NOW,
        );
        let t3 = room.response(&alice, &a, "Alice tie A", START, "10000", 1300, 13);
        let t4 = room.response(&alice, &a, "Alice tie B", START, "00001", 1300, 14);
        push(
            &mut s,
            &room,
            "two responses with equal created_at: the lowest id wins",
            &["Tie", "DeployedDiffers"],
            &["OS-LWW-1", "OS-LWW-5"],
            vec![a.clone(), t3, t4],
            NOW,
        );
        let bad_len = room.response(&alice, &a, "Alice bad", START, "110001", 1400, 15);
        let (label, req) = if room.profile() == Profile::V1 {
            ("one slot too long", "OS-MASK-3")
        } else {
            ("off the grid", "OS-MASK-7")
        };
        let bad = if room.profile() == Profile::V1 {
            bad_len
        } else {
            room.response(&alice, &a, "Alice bad", START + 900, "11", 1400, 15)
        };
        push(
            &mut s,
            &room,
            &format!("a newer invalid response ({label}) does not displace the valid one"),
            &["DeployedDiffers"],
            &["OS-LWW-2", req],
            vec![a.clone(), r1.clone(), bad],
            NOW,
        );
        let copy = sign(&keys(8), 1500, tags_of(&r1), r1.content.clone(), 16);
        push(
            &mut s,
            &room,
            "a response re-posted under another key is rejected",
            &["DeployedDiffers"],
            &["OS-EVENT-11"],
            vec![a.clone(), r1.clone(), copy],
            NOW,
        );
        let bob = keys(3);
        let rb = room.response(&bob, &a, "Bob", START, "01001", 1600, 17);
        push(
            &mut s,
            &room,
            "two participants: one winner each",
            &[],
            &["OS-LWW-5"],
            vec![rb.clone(), a.clone(), r1.clone()],
            NOW,
        );
        // Responses and a room update.
        let rb_new = room.response(&bob, &b, "Bob (to version B)", START, "01001", 2100, 18);
        let reqs: &[&str] = if room.profile() == Profile::V2 {
            &["OS-RES-5"]
        } else {
            &["OS-RES-5", "OS-LWW-5"]
        };
        push(
            &mut s,
            &room,
            "a room update: v2 keeps every response, v1 shows only those to the new version",
            &[],
            reqs,
            vec![a.clone(), b.clone(), r1.clone(), rb_new],
            NOW,
        );
    }
    // Cases added after the first set (kept last so earlier ids stay put).
    for room in [Room::v1(), Room::v2()] {
        let a = room.room("Version A", 1000, 1);
        let alice = keys(2);
        let r1 = room.response(&alice, &a, "Alice v1", START, "11000", 1100, 11);
        let r2 = room.response(&alice, &a, "Alice v2", START, "00011", 1200, 12);
        // OS-LWW-7: a newer response that has expired does not win, and it
        // ends the older one: the participant has no response (v1 with an
        // expiration tag added, v2 with its own expiration lowered).
        let mut tags: Vec<Vec<String>> = tags_of(&r2)
            .into_iter()
            .filter(|t| t.first().map(String::as_str) != Some("expiration"))
            .collect();
        tags.push(vec!["expiration".into(), (NOW - 1).to_string()]);
        let expired = sign(&alice, 1250, tags, r2.content.clone(), 21);
        push(
            &mut s,
            &room,
            "a participant's newer response has expired: it ends the older one, which does not come back",
            &["DeployedDiffers"],
            &["OS-LWW-2", "OS-EXPIRY-3", "OS-LWW-7"],
            vec![a.clone(), r1.clone(), expired],
            NOW,
        );
        // OS-LWW-4 (v1): the mirror of the hijack case, by an author whose
        // key sorts on the other side of the host's, so that key order
        // cannot decide either case by luck.
        let host_hex = room.host.public_key().to_hex();
        let first_side = keys(7).public_key().to_hex() < host_hex;
        if let Some(other) = (20u8..=120)
            .map(keys)
            .find(|k| (k.public_key().to_hex() < host_hex) != first_side)
        {
            let hijack = room.room_by(&other, "Hijacked (mirror)", ROOM_MASK, 9000, 22);
            let reqs: &[&str] = if room.profile() == Profile::V2 {
                &["OS-LWW-4", "OS-EVENT-11"]
            } else {
                &["OS-LWW-4"]
            };
            push(
                &mut s,
                &room,
                "another author, whose key sorts on the other side of the host's, publishes a newer room under the d-tag (v1: it wins; v2: rejected)",
                &["Hijack"],
                reqs,
                vec![hijack, a.clone()],
                NOW,
            );
        }
        // OS-EVENT-11 (v2): the same key and content under a d-tag that is
        // not its author's is rejected; without the check the key would
        // appear twice and its slots count double.
        if room.profile() == Profile::V2 {
            let tags: Vec<Vec<String>> = tags_of(&r1)
                .into_iter()
                .map(|t| {
                    if t.first().map(String::as_str) == Some("d") {
                        vec!["d".into(), "ab".repeat(32)]
                    } else {
                        t
                    }
                })
                .collect();
            let moved = sign(&alice, 1150, tags, r1.content.clone(), 23);
            push(
                &mut s,
                &room,
                "a response under a d-tag that is not its author's is rejected (the author counts once)",
                &[],
                &["OS-EVENT-11"],
                vec![a.clone(), r1.clone(), moved],
                NOW,
            );
        }
    }
    // Cases added in a second round (again last, for the same reason).
    for room in [Room::v1(), Room::v2()] {
        let a = room.room("Version A", 1000, 1);
        let alice = keys(2);
        let r1 = room.response(&alice, &a, "Alice v1", START, "11000", 1100, 11);
        let r2 = room.response(&alice, &a, "Alice v2", START, "00011", 1200, 12);
        // Deduplication comes after validation (§14.2 step 2, C-10), for
        // responses: a bad-signature copy of the newer response that
        // arrives first does not hide it.
        push(
            &mut s,
            &room,
            "a copy of a participant's newer response with a bad signature, delivered first, does not hide it (its id has a valid copy: not listed as rejected)",
            &[],
            &["OS-LWW-2", "OS-LWW-3"],
            vec![a.clone(), r1.clone(), bad_sig(&r2), r2.clone()],
            NOW,
        );
        // §14.2's rejected list across roles: a copy of a valid response
        // that also carries the room d-tag is a room candidate and fails
        // (its id does not match its tags), but its id has a valid copy in
        // the other role, so it is not listed.
        let mut tags = tags_of(&r1);
        tags.push(vec!["d".into(), room.ctx.room_d.clone()]);
        let tags: Vec<Tag> = tags
            .into_iter()
            .filter_map(|t| Tag::parse(t).ok())
            .collect();
        let as_room = Event::new(
            r1.id,
            r1.pubkey,
            r1.created_at,
            r1.kind,
            tags,
            r1.content.clone(),
            r1.sig,
        );
        push(
            &mut s,
            &room,
            "a copy of a valid response that also carries the room d-tag fails as a room candidate; its id has a valid copy as a response, so it is not listed as rejected",
            &[],
            &["OS-LWW-2", "OS-RES-4"],
            vec![as_room, a.clone(), r1.clone()],
            NOW,
        );
    }
    no_resurrection(&mut s);
    s.finish()
}

/// The same event re-signed by `signer` with its expiration tag set to
/// `expiration` (added in v1, replaced in v2).
fn expiring(e: &Event, signer: &Keys, expiration: u64, n: u8) -> Event {
    let mut tags: Vec<Vec<String>> = tags_of(e)
        .into_iter()
        .filter(|t| t.first().map(String::as_str) != Some("expiration"))
        .collect();
    tags.push(vec!["expiration".into(), expiration.to_string()]);
    sign(signer, e.created_at.as_secs(), tags, e.content.clone(), n)
}

/// OS-LWW-7: an expired version ends the versions it outranks, for rooms
/// (in v1 across authors) and responses; one that it does not outrank
/// changes nothing.
fn no_resurrection(s: &mut ResolveSuite) {
    for room in [Room::v1(), Room::v2()] {
        // The deployed app reads no expiration: it shows the expired version.
        let accepts: &[&str] = if room.profile() == Profile::V1 {
            &["DeployedAccepts"]
        } else {
            &[]
        };
        let a = room.room("Version A", 1000, 1);
        let b = expiring(&room.room("Version B", 2000, 2), &room.host, NOW - 1, 31);
        push(
            s,
            &room,
            "the newer room version has expired: it ends the older one, which does not come back (room not found)",
            accepts,
            &["OS-LWW-7", "OS-RES-2", "OS-EXPIRY-3"],
            vec![a.clone(), b.clone()],
            NOW,
        );
        let old = expiring(&room.room("Version 0", 500, 3), &room.host, NOW - 1, 32);
        push(
            s,
            &room,
            "an expired room version older than the winner changes nothing",
            &[],
            &["OS-LWW-7", "OS-LWW-1"],
            vec![old, a.clone()],
            NOW,
        );
        let alice = keys(2);
        let r1 = room.response(&alice, &a, "Alice new", START, "11000", 1300, 33);
        let r0 = expiring(
            &room.response(&alice, &a, "Alice old", START, "00011", 1200, 34),
            &alice,
            NOW - 1,
            35,
        );
        push(
            s,
            &room,
            "an expired response older than the participant's winner changes nothing",
            &[],
            &["OS-LWW-7", "OS-LWW-5"],
            vec![a.clone(), r0, r1],
            NOW,
        );
        if room.profile() == Profile::V1 {
            // v1 chooses across authors (OS-LWW-4): another author's older
            // version does not come back either.
            let other = keys(9);
            let c = room.room_by(&other, "Version C", ROOM_MASK, 1500, 36);
            push(
                s,
                &room,
                "v1: the host's newest room version has expired; another author's older version does not come back (room not found)",
                accepts,
                &["OS-LWW-7", "OS-LWW-4"],
                vec![c, a.clone(), b.clone()],
                NOW,
            );
        }
    }
}

pub(crate) fn resolution_suite() -> ResolveFile {
    let mut s = Suite::new("resolution");
    notes(&mut s);
    s.note("Viewer", "Counts include the viewer's own response; the deployed app leaves it out of per-slot counts (OS-MASK-8).");
    for room in [Room::v1(), Room::v2()] {
        let r = room.room("Team sync", 1000, 1);
        let people: Vec<(Keys, &str, &str)> = vec![
            (keys(2), "Alice", "11000"),
            (keys(3), "Bob", "01011"),
            (keys(4), "Carol", "00000"),
            (keys(5), "Dan", "11111"),
        ];
        let responses: Vec<Event> = people
            .iter()
            .enumerate()
            .map(|(i, (k, n, b))| room.response(k, &r, n, START, b, 1100 + i as u64, 20 + i as u8))
            .collect();
        let mut all = vec![r.clone()];
        all.extend(responses.iter().cloned());
        push(
            &mut s,
            &room,
            "a room with four participants (one available nowhere; bits at the unoffered slot ignored)",
            &["Viewer"],
            &["OS-RES-3", "OS-RES-4", "OS-MASK-8", "OS-MASK-9"],
            all.clone(),
            NOW,
        );
        let mut reversed = all.clone();
        reversed.reverse();
        push(
            &mut s,
            &room,
            "the same events in reverse order",
            &[],
            &["OS-LWW-3", "OS-RES-1"],
            reversed,
            NOW,
        );
        let mut doubled = all.clone();
        doubled.extend(all.iter().cloned());
        push(
            &mut s,
            &room,
            "the same events from two relays",
            &[],
            &["OS-LWW-3", "OS-RES-1"],
            doubled,
            NOW,
        );
        push(
            &mut s,
            &room,
            "no room event: room not found",
            &[],
            &["OS-RES-2"],
            responses.clone(),
            NOW,
        );
        push(
            &mut s,
            &room,
            "no events at all",
            &[],
            &["OS-RES-2"],
            vec![],
            NOW,
        );
        let unrelated = sign(
            &keys(9),
            1000,
            vec![
                vec!["d".into(), "0".repeat(64)],
                vec!["t".into(), "openslots".into()],
            ],
            "x".into(),
            9,
        );
        push(
            &mut s,
            &room,
            "an unrelated event is ignored",
            &[],
            &["OS-RES-2"],
            vec![r.clone(), unrelated],
            NOW,
        );
        if room.profile() == Profile::V2 {
            // Responses with their own start (OS-MASK-7).
            let later = room.response(&keys(6), &r, "Erin", START + 1800, "1011", 1200, 30);
            let earlier = room.response(&keys(7), &r, "Frank", START - 3600, "111", 1201, 31);
            push(
                &mut s,
                &room,
                "v2 responses starting after and before the room start",
                &[],
                &["OS-MASK-7", "OS-RES-3"],
                vec![r.clone(), later, earlier],
                NOW,
            );
            let no_exp: Vec<Vec<String>> = tags_of(&r)
                .into_iter()
                .filter(|t| t.first().map(String::as_str) != Some("expiration"))
                .collect();
            let bare = sign(&room.host, 5000, no_exp, r.content.clone(), 32);
            push(
                &mut s,
                &room,
                "a v2 room version without an expiration tag is rejected",
                &[],
                &["OS-EVENT-10"],
                vec![r.clone(), bare],
                NOW,
            );
            let exp = room.expiration();
            push(
                &mut s,
                &room,
                "expiration equal to now is still valid",
                &[],
                &["OS-EXPIRY-2"],
                all.clone(),
                exp,
            );
        } else {
            // A v1 room that carries an expiration is honoured (OS-EXPIRY-5).
            let mut tags = tags_of(&r);
            tags.push(vec!["expiration".into(), "1500".into()]);
            let expiring = sign(&room.host, 900, tags, r.content.clone(), 33);
            push(
                &mut s,
                &room,
                "a v1 room with an expiration tag, read after it: ignored",
                &[],
                &["OS-EXPIRY-5", "OS-EXPIRY-3"],
                vec![expiring.clone()],
                1501,
            );
            push(
                &mut s,
                &room,
                "the same room read when it expires: still valid",
                &[],
                &["OS-EXPIRY-5", "OS-EXPIRY-2", "OS-EXPIRY-3"],
                vec![expiring],
                1500,
            );
            let stale = room.room("Stale", 500, 34);
            let stale_resp = room.response(&keys(6), &stale, "Old answer", START, "11000", 600, 35);
            push(
                &mut s,
                &room,
                "responses to a superseded room event are not shown",
                &[],
                &["OS-RES-5", "OS-LWW-5"],
                vec![stale, stale_resp, r.clone(), responses[0].clone()],
                NOW,
            );
        }
    }
    // OS-PAYLOAD-10: the view holds titles and names exactly as written.
    for room in [Room::v1(), Room::v2()] {
        let r = room.room("\u{3000}Team sync\n", 1000, 40);
        let mut events = vec![r.clone()];
        for (i, name) in ["", " \t", "\u{00A0}Carol\u{FEFF}", "Dan"]
            .iter()
            .enumerate()
        {
            events.push(room.response(
                &keys(2 + i as u8),
                &r,
                name,
                START,
                "01001",
                1100 + i as u64,
                41 + i as u8,
            ));
        }
        push(
            &mut s,
            &room,
            "titles and names are returned exactly: whitespace around the title, an empty name, a name of whitespace, whitespace around a name",
            &["DeployedDiffers"],
            &["OS-PAYLOAD-10", "OS-RES-4"],
            events,
            NOW,
        );
    }
    // Found by differential fuzzing: a relay's garbage is rejected and
    // resolution goes on (spec §14.2); it never fails the whole call.
    for room in [Room::v1(), Room::v2()] {
        let good = room.room("Team sync", 1000, 40);
        let mut empty_tag = wire(&good);
        empty_tag.tags.push(Vec::new());
        empty_tag.id = "f1".repeat(32);
        push_with(
            &mut s,
            &room,
            "a malformed room candidate (an empty tag) is rejected and resolution goes on: the valid room wins",
            &[],
            &["OS-RES-2", "OS-EVENT-13"],
            vec![good],
            vec![empty_tag],
            NOW,
        );
    }
    s.finish()
}
