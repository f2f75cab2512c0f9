//! Conformance tests for payloads (spec §8): the requirements OS-PAYLOAD-1 to
//! OS-PAYLOAD-9 of §8.1, the serialisation of §8.2 (byte for byte), the
//! reading order of §8.3, and the mask codes of §10.3 as a payload reader
//! reports them.
//!
//! Every expected value is worked out by hand from the spec's text (byte
//! counts included); the reference is never used to produce one. Errors are
//! compared by code (spec §1.4, §15), never by message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use openslots::mask::{self, Mask};
use openslots::payload::{Binding, ResponsePayload, RoomPayload};
use openslots::{ErrorCode, Profile, SpecError};

const ROOM_ID: &str = "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13";
/// The v2 host public key of the spec's examples.
const HOST: &str = "3df44f70ae069ffec84a1492967541e785e49f7d8f0433a3466164315f83fcc8";
/// The v2 participant public key of the spec's examples.
const ALICE: &str = "489d6054250c77c53c3a08eb0e57ffcf3037291bfc95c1e6aec9b96e8cef3dea";
const START: i64 = 1_748_851_200;
/// §10.4: positions 0, 1, 48, 49 of 50.
const ROOM_MASK: &str = "11000000000000000000000000000000000000000000000011";
/// §10.4: positions 1 and 48 of 50.
const ALICE_MASK: &str = "01000000000000000000000000000000000000000000000010";
/// §10.4: bytes c0 00 00 00 00 00 c0.
const ROOM_B: &str = "wAAAAAAAwA==";
/// §10.4: bytes 40 00 00 00 00 00 80.
const ALICE_B: &str = "QAAAAAAAgA==";

/// §8.4, 89 bytes.
const V1_ROOM: &str =
    r#"{"t":"Team sync","s":1748851200,"o":"11000000000000000000000000000000000000000000000011"}"#;
/// §8.4, 70 bytes.
const V1_RESPONSE: &str =
    r#"{"n":"Alice","o":"01000000000000000000000000000000000000000000000010"}"#;
/// §8.4, 217 bytes.
const V2_ROOM: &str = r#"{"v":2,"role":"room","room":"3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13","author":"3df44f70ae069ffec84a1492967541e785e49f7d8f0433a3466164315f83fcc8","title":"Team sync","start":1748851200,"mask":{"n":50,"b":"wAAAAAAAwA=="}}"#;
/// §8.4, 216 bytes.
const V2_RESPONSE: &str = r#"{"v":2,"role":"response","room":"3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13","author":"489d6054250c77c53c3a08eb0e57ffcf3037291bfc95c1e6aec9b96e8cef3dea","name":"Alice","start":1748851200,"mask":{"n":50,"b":"QAAAAAAAgA=="}}"#;

const MAX_SAFE: &str = "9007199254740991"; // 2^53 - 1
const TWO_53: &str = "9007199254740992"; // 2^53

// ---- helpers ---------------------------------------------------------------

fn host_binding() -> Binding<'static> {
    Binding {
        room_id: ROOM_ID,
        author: HOST,
    }
}

fn alice_binding() -> Binding<'static> {
    Binding {
        room_id: ROOM_ID,
        author: ALICE,
    }
}

fn room_mask() -> Mask {
    Mask::from_indices(50, [0, 1, 48, 49])
}

fn alice_mask() -> Mask {
    Mask::from_indices(50, [1, 48])
}

fn room(title: &str) -> RoomPayload {
    RoomPayload {
        title: title.to_owned(),
        start: START,
        mask: room_mask(),
    }
}

fn response(name: &str, start: Option<i64>) -> ResponsePayload {
    ResponsePayload {
        name: name.to_owned(),
        start,
        mask: alice_mask(),
    }
}

fn write_room(p: &RoomPayload, profile: Profile) -> Result<String, ErrorCode> {
    p.to_json(profile, &host_binding()).map_err(|e| e.code())
}

fn write_response(p: &ResponsePayload, profile: Profile) -> Result<String, ErrorCode> {
    p.to_json(profile, &alice_binding()).map_err(|e| e.code())
}

fn room_v1(text: &str) -> Result<RoomPayload, ErrorCode> {
    RoomPayload::parse_v1(text).map_err(|e| e.code())
}

fn response_v1(text: &str) -> Result<ResponsePayload, ErrorCode> {
    ResponsePayload::parse_v1(text).map_err(|e| e.code())
}

fn room_v2(text: &str) -> Result<RoomPayload, ErrorCode> {
    RoomPayload::parse_v2(text, &host_binding()).map_err(|e| e.code())
}

fn response_v2(text: &str) -> Result<ResponsePayload, ErrorCode> {
    ResponsePayload::parse_v2(text, &alice_binding()).map_err(|e| e.code())
}

/// The error a reader gives, panicking if it accepts.
#[track_caller]
fn err<T: core::fmt::Debug>(r: Result<T, ErrorCode>) -> ErrorCode {
    match r {
        Ok(v) => panic!("accepted: {v:?}"),
        Err(c) => c,
    }
}

/// A JSON object written member by member, values as raw JSON text, so that
/// tests can drop, replace, repeat and reorder members.
#[derive(Clone)]
struct Obj(Vec<(String, String)>);

impl Obj {
    fn new(members: &[(&str, &str)]) -> Self {
        Self(
            members
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }
    fn set(mut self, name: &str, value: &str) -> Self {
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(m) => m.1 = value.to_owned(),
            None => self.0.push((name.to_owned(), value.to_owned())),
        }
        self
    }
    fn without(mut self, name: &str) -> Self {
        self.0.retain(|(k, _)| k != name);
        self
    }
    fn push(mut self, name: &str, value: &str) -> Self {
        self.0.push((name.to_owned(), value.to_owned()));
        self
    }
    fn text(&self) -> String {
        let members: Vec<String> = self.0.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", members.join(","))
    }
}

fn v1_room_obj() -> Obj {
    Obj::new(&[
        ("t", r#""Team sync""#),
        ("s", "1748851200"),
        ("o", &format!("\"{ROOM_MASK}\"")),
    ])
}

fn v1_response_obj() -> Obj {
    Obj::new(&[("n", r#""Alice""#), ("o", &format!("\"{ALICE_MASK}\""))])
}

fn mask_obj(n: &str, b: &str) -> String {
    format!(r#"{{"n":{n},"b":"{b}"}}"#)
}

fn v2_room_obj() -> Obj {
    Obj::new(&[
        ("v", "2"),
        ("role", r#""room""#),
        ("room", &format!("\"{ROOM_ID}\"")),
        ("author", &format!("\"{HOST}\"")),
        ("title", r#""Team sync""#),
        ("start", "1748851200"),
        ("mask", &mask_obj("50", ROOM_B)),
    ])
}

fn v2_response_obj() -> Obj {
    Obj::new(&[
        ("v", "2"),
        ("role", r#""response""#),
        ("room", &format!("\"{ROOM_ID}\"")),
        ("author", &format!("\"{ALICE}\"")),
        ("name", r#""Alice""#),
        ("start", "1748851200"),
        ("mask", &mask_obj("50", ALICE_B)),
    ])
}

fn read_room_v1(t: &str) -> Result<(), ErrorCode> {
    room_v1(t).map(drop)
}

fn read_response_v1(t: &str) -> Result<(), ErrorCode> {
    response_v1(t).map(drop)
}

fn read_room_v2(t: &str) -> Result<(), ErrorCode> {
    room_v2(t).map(drop)
}

fn read_response_v2(t: &str) -> Result<(), ErrorCode> {
    response_v2(t).map(drop)
}

type Reader = fn(&str) -> Result<(), ErrorCode>;

/// The four readers with a valid text for each, as (label, reader, text).
fn readers() -> Vec<(&'static str, Reader, String)> {
    vec![
        ("v1 room", read_room_v1 as Reader, V1_ROOM.to_owned()),
        ("v1 response", read_response_v1, V1_RESPONSE.to_owned()),
        ("v2 room", read_room_v2, V2_ROOM.to_owned()),
        ("v2 response", read_response_v2, V2_RESPONSE.to_owned()),
    ]
}

// ---- the examples of §8.4 --------------------------------------------------

#[test]
fn os_payload_2_spec_v1_room_example_is_exact() {
    let json = write_room(&room("Team sync"), Profile::V1).unwrap();
    assert_eq!(json, V1_ROOM);
    assert_eq!(json.len(), 89);
    let back = room_v1(V1_ROOM).unwrap();
    assert_eq!(back, room("Team sync"));
}

#[test]
fn os_payload_3_spec_v1_response_example_is_exact() {
    let json = write_response(&response("Alice", None), Profile::V1).unwrap();
    assert_eq!(json, V1_RESPONSE);
    assert_eq!(json.len(), 70);
    let back = response_v1(V1_RESPONSE).unwrap();
    assert_eq!(back.name, "Alice");
    assert_eq!(back.start, None);
    assert_eq!(back.mask, alice_mask());
}

#[test]
fn os_payload_3_v1_response_writer_ignores_a_start() {
    // v1 responses have no start member (OS-PAYLOAD-3).
    let json = write_response(&response("Alice", Some(START)), Profile::V1).unwrap();
    assert_eq!(json, V1_RESPONSE);
}

#[test]
fn os_payload_5_spec_v2_room_example_is_exact() {
    let json = write_room(&room("Team sync"), Profile::V2).unwrap();
    assert_eq!(json, V2_ROOM);
    assert_eq!(json.len(), 217);
    assert_eq!(room_v2(V2_ROOM).unwrap(), room("Team sync"));
}

#[test]
fn os_payload_6_spec_v2_response_example_is_exact() {
    let json = write_response(&response("Alice", Some(START)), Profile::V2).unwrap();
    assert_eq!(json, V2_RESPONSE);
    assert_eq!(json.len(), 216);
    let back = response_v2(V2_RESPONSE).unwrap();
    assert_eq!(back.name, "Alice");
    assert_eq!(back.start, Some(START));
    assert_eq!(back.mask, alice_mask());
}

// ---- §8.2 serialisation ----------------------------------------------------

/// `(title, its serialisation as a JSON string)`, worked from OS-PAYLOAD-2.
const ESCAPES: &[(&str, &str)] = &[
    ("\"", r#""\"""#),
    ("\\", r#""\\""#),
    ("\u{8}", r#""\b""#),
    ("\u{c}", r#""\f""#),
    ("\n", r#""\n""#),
    ("\r", r#""\r""#),
    ("\t", r#""\t""#),
    ("\u{0}", r#""\u0000""#),
    ("\u{1}", r#""\u0001""#),
    ("\u{b}", r#""\u000b""#),
    ("\u{e}", r#""\u000e""#),
    ("\u{1a}", r#""\u001a""#),
    ("\u{1b}", r#""\u001b""#),
    ("\u{1f}", r#""\u001f""#),
    ("/", "\"/\""),
    ("</script>", "\"</script>\""),
    ("\u{7f}", "\"\u{7f}\""),
    ("\u{80}", "\"\u{80}\""),
    ("\u{2028}", "\"\u{2028}\""),
    ("\u{2029}", "\"\u{2029}\""),
    ("é", "\"\u{e9}\""),
    ("🙂", "\"\u{1f642}\""),
    ("\u{feff}", "\"\u{feff}\""),
    ("'", "\"'\""),
    ("<>&=", "\"<>&=\""),
    (" ", "\" \""),
    ("", "\"\""),
];

#[test]
fn os_payload_2_strings_are_escaped_exactly_as_json_stringify() {
    for (title, serialised) in ESCAPES {
        let want = format!(r#"{{"t":{serialised},"s":1748851200,"o":"{ROOM_MASK}"}}"#);
        let got = write_room(&room(title), Profile::V1).unwrap();
        assert_eq!(got, want, "title {title:?}");
        // And the reader gets the title back.
        assert_eq!(room_v1(&got).unwrap().title, *title);
    }
}

#[test]
fn os_payload_2_spec_escape_example() {
    // §8.4: `Lunch "A"/B`, a line feed and é serialise as "Lunch \"A\"/B\né",
    // é being the two bytes c3 a9.
    let got = write_room(&room("Lunch \"A\"/B\né"), Profile::V1).unwrap();
    let want_prefix: &[u8] = b"{\"t\":\"Lunch \\\"A\\\"/B\\n\xc3\xa9\",\"s\":";
    assert!(
        got.as_bytes().starts_with(want_prefix),
        "{:?}",
        got.as_bytes()
    );
}

#[test]
fn os_payload_2_non_ascii_is_raw_utf8() {
    let got = write_room(&room("é🙂€"), Profile::V1).unwrap();
    let want: Vec<u8> = [
        &b"{\"t\":\""[..],
        &[0xc3, 0xa9],             // é
        &[0xf0, 0x9f, 0x99, 0x82], // U+1F642
        &[0xe2, 0x82, 0xac],       // €
        &b"\",\"s\":1748851200,\"o\":\""[..],
        ROOM_MASK.as_bytes(),
        b"\"}",
    ]
    .concat();
    assert_eq!(got.as_bytes(), &want[..]);
    assert!(!got.contains("\\u"));
}

#[test]
fn os_payload_2_all_escapes_in_one_title() {
    let title = "a\"b\\c/d\ne\tf\u{1}g\u{1f}h\u{7f}i\u{2028}j\u{8}k\u{c}l\rm";
    let want = "{\"t\":\"a\\\"b\\\\c/d\\ne\\tf\\u0001g\\u001fh\u{7f}i\u{2028}j\\bk\\fl\\rm\",\
                \"s\":1748851200,\"o\":\"11000000000000000000000000000000000000000000000011\"}";
    assert_eq!(write_room(&room(title), Profile::V1).unwrap(), want);
}

#[test]
fn os_payload_2_integers_are_shortest_decimal() {
    for (start, written) in [
        (0_i64, "0"),
        (1800, "1800"),
        (-1800, "-1800"),
        (9_007_199_254_740_991, MAX_SAFE),
        (-9_007_199_254_740_991, "-9007199254740991"),
    ] {
        let p = RoomPayload {
            title: "x".into(),
            start,
            mask: Mask::from_indices(1, [0]),
        };
        let want = format!(r#"{{"t":"x","s":{written},"o":"1"}}"#);
        assert_eq!(write_room(&p, Profile::V1).unwrap(), want);
        let want2 = format!(
            r#"{{"v":2,"role":"room","room":"{ROOM_ID}","author":"{HOST}","title":"x","start":{written},"mask":{{"n":1,"b":"gA=="}}}}"#
        );
        assert_eq!(write_room(&p, Profile::V2).unwrap(), want2);
    }
}

#[test]
fn os_payload_5_v2_strings_are_escaped_too() {
    let got = write_room(&room("a\"b\n\u{1}é/"), Profile::V2).unwrap();
    let want = format!(
        "{{\"v\":2,\"role\":\"room\",\"room\":\"{ROOM_ID}\",\"author\":\"{HOST}\",\
         \"title\":\"a\\\"b\\n\\u0001é/\",\"start\":1748851200,\"mask\":{{\"n\":50,\"b\":\"{ROOM_B}\"}}}}"
    );
    assert_eq!(got, want);
}

#[test]
fn os_payload_6_v2_response_member_order_and_escapes() {
    let got = write_response(&response("Zoë \"Z\"", Some(START - 1800)), Profile::V2).unwrap();
    let want = format!(
        "{{\"v\":2,\"role\":\"response\",\"room\":\"{ROOM_ID}\",\"author\":\"{ALICE}\",\
         \"name\":\"Zoë \\\"Z\\\"\",\"start\":1748849400,\"mask\":{{\"n\":50,\"b\":\"{ALICE_B}\"}}}}"
    );
    assert_eq!(got, want);
}

#[test]
fn os_payload_3_v1_response_escapes() {
    let got = write_response(&response("\\\t🙂", None), Profile::V1).unwrap();
    assert_eq!(
        got,
        format!("{{\"n\":\"\\\\\\t🙂\",\"o\":\"{ALICE_MASK}\"}}")
    );
}

// ---- OS-PAYLOAD-1: a JSON object --------------------------------------------

#[test]
fn os_payload_1_non_objects_are_payload_json() {
    for (label, read, valid) in readers() {
        let not_objects = [
            String::new(),
            " ".to_owned(),
            "\n".to_owned(),
            "[]".to_owned(),
            format!("[{valid}]"),
            "\"x\"".to_owned(),
            format!("\"{}\"", valid.replace('"', "\\\"")),
            "null".to_owned(),
            "true".to_owned(),
            "0".to_owned(),
            "2".to_owned(),
            "{".to_owned(),
            "}".to_owned(),
            valid[..valid.len() - 1].to_owned(),
            format!("{valid}x"),
            format!("{valid} x"),
            format!("{valid},"),
            format!("{valid}{valid}"),
            format!("{valid}[]"),
            format!("{valid}null"),
            format!("x{valid}"),
            format!("/*c*/{valid}"),
            format!("{valid}//c"),
            valid.replace('"', "'"),
            format!("{},}}", &valid[..valid.len() - 1]),
            format!("{{,{}", &valid[1..]),
            valid.replacen(':', "=", 1),
            valid.replacen(',', ",,", 1),
            "{\"t\":NaN}".to_owned(),
            "{\"t\":undefined}".to_owned(),
            "{t:1}".to_owned(),
        ];
        for text in not_objects {
            assert_eq!(
                read(&text),
                Err(ErrorCode::PayloadJson),
                "{label}: {text:?}"
            );
        }
    }
}

#[test]
fn os_payload_1_non_json_inside_an_unknown_member_is_payload_json() {
    for (label, read, valid) in readers() {
        let body = &valid[..valid.len() - 1];
        for extra in [
            r#","x":01}"#,
            r#","x":+1}"#,
            r#","x":.5}"#,
            r#","x":1.}"#,
            r#","x":"a}"#,
            r#","x":"\x"}"#,
            r#","x":[1,]}"#,
            r#","x":tru}"#,
            ",\"x\":\"\u{1}\"}",
        ] {
            let text = format!("{body}{extra}");
            assert_eq!(
                read(&text),
                Err(ErrorCode::PayloadJson),
                "{label}: {text:?}"
            );
        }
    }
}

#[test]
fn os_payload_1_whitespace_anywhere_is_valid() {
    let v1 = " \t\n\r{ \"t\" :\t\"Team sync\" ,\n\"s\"\r:1748851200 , \"o\" : \"11000000000000000000000000000000000000000000000011\" }\n ";
    assert_eq!(room_v1(v1).unwrap(), room("Team sync"));
    let v2 = V2_ROOM
        .replace(',', " ,\n ")
        .replace(':', "\t: ")
        .replace('{', "{\r\n");
    assert_eq!(room_v2(&format!(" {v2} ")).unwrap(), room("Team sync"));
}

#[test]
fn os_payload_1_v2_duplicate_top_level_member_is_payload_json() {
    for obj in [
        v2_room_obj().push("title", r#""Other""#),
        v2_room_obj().push("title", r#""Team sync""#), // even with an equal value
        v2_room_obj().push("v", "2"),
        v2_room_obj().push("room", &format!("\"{ROOM_ID}\"")),
        v2_room_obj().push("x", "1").push("x", "1"), // unknown members too
    ] {
        assert_eq!(
            room_v2(&obj.text()),
            Err(ErrorCode::PayloadJson),
            "{}",
            obj.text()
        );
    }
    let r = v2_response_obj().push("name", r#""Bob""#);
    assert_eq!(response_v2(&r.text()), Err(ErrorCode::PayloadJson));
    let r = v2_response_obj().push("author", &format!("\"{ALICE}\""));
    assert_eq!(response_v2(&r.text()), Err(ErrorCode::PayloadJson));
}

#[test]
fn os_payload_1_v2_duplicate_inside_the_mask_object_is_payload_json() {
    let dup_n = format!(r#"{{"n":50,"n":50,"b":"{ROOM_B}"}}"#);
    let dup_b = format!(r#"{{"n":50,"b":"{ROOM_B}","b":"{ROOM_B}"}}"#);
    for m in [&dup_n, &dup_b] {
        assert_eq!(
            room_v2(&v2_room_obj().set("mask", m).text()),
            Err(ErrorCode::PayloadJson)
        );
    }
    let dup = format!(r#"{{"n":50,"b":"{ALICE_B}","n":49}}"#);
    assert_eq!(
        response_v2(&v2_response_obj().set("mask", &dup).text()),
        Err(ErrorCode::PayloadJson)
    );
}

#[test]
fn os_payload_1_v2_duplicate_in_any_nested_object_is_payload_json() {
    // "if any object in it has a repeated member name" (§8.3 step 1).
    for extra in [
        r#"{"a":1,"a":2}"#,
        r#"[{"a":1,"a":1}]"#,
        r#"{"b":{"c":[{"d":null,"d":null}]}}"#,
    ] {
        assert_eq!(
            room_v2(&v2_room_obj().push("x", extra).text()),
            Err(ErrorCode::PayloadJson),
            "{extra}"
        );
    }
    let m = format!(r#"{{"n":50,"b":"{ROOM_B}","z":{{"q":1,"q":2}}}}"#);
    assert_eq!(
        room_v2(&v2_room_obj().set("mask", &m).text()),
        Err(ErrorCode::PayloadJson)
    );
}

#[test]
fn os_payload_1_v1_duplicate_members_are_acceptable() {
    // Either payload-json, or the last value of each name (JSON.parse).
    let text = v1_room_obj().push("t", r#""Last""#).text();
    match room_v1(&text) {
        Ok(p) => assert_eq!(p.title, "Last"),
        Err(c) => assert_eq!(c, ErrorCode::PayloadJson),
    }
    let text = v1_room_obj().push("s", "1748853000").text();
    match room_v1(&text) {
        Ok(p) => assert_eq!(p.start, 1_748_853_000),
        Err(c) => assert_eq!(c, ErrorCode::PayloadJson),
    }
    let text = v1_response_obj().push("o", r#""1""#).text();
    match response_v1(&text) {
        Ok(p) => assert_eq!(p.mask, Mask::from_indices(1, [0])),
        Err(c) => assert_eq!(c, ErrorCode::PayloadJson),
    }
    // A last value that is malformed: if kept, it is the one checked.
    let text = v1_room_obj().push("s", r#""x""#).text();
    let c = err(room_v1(&text));
    assert!(
        matches!(c, ErrorCode::PayloadJson | ErrorCode::PayloadField),
        "{c}"
    );
}

#[test]
fn os_payload_1_comes_before_the_version_and_the_members() {
    // Step 1 precedes step 2: a duplicate member and a missing or wrong v.
    let text = v2_room_obj().without("v").push("title", r#""B""#).text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadJson));
    let text = v2_room_obj()
        .set("v", "3")
        .push("x", "1")
        .push("x", "2")
        .text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadJson));
    let text = v2_response_obj()
        .set("v", "3")
        .without("name")
        .push("room", "1")
        .text();
    assert_eq!(response_v2(&text), Err(ErrorCode::PayloadJson));
    // Non-JSON and a missing member: json.
    let text = format!("{}x", v1_room_obj().without("t").text());
    assert_eq!(room_v1(&text), Err(ErrorCode::PayloadJson));
}

// ---- OS-PAYLOAD-4: members and types -----------------------------------------

#[test]
fn os_payload_4_v1_room_missing_member_is_payload_field() {
    for name in ["t", "s", "o"] {
        let text = v1_room_obj().without(name).text();
        assert_eq!(room_v1(&text), Err(ErrorCode::PayloadField), "{text}");
    }
    assert_eq!(room_v1("{}"), Err(ErrorCode::PayloadField));
    // A v1 response is not a v1 room (no t, no s).
    assert_eq!(room_v1(V1_RESPONSE), Err(ErrorCode::PayloadField));
    // Names are case-sensitive.
    let text = v1_room_obj().without("t").push("T", r#""x""#).text();
    assert_eq!(room_v1(&text), Err(ErrorCode::PayloadField));
}

#[test]
fn os_payload_4_v1_response_missing_member_is_payload_field() {
    for name in ["n", "o"] {
        let text = v1_response_obj().without(name).text();
        assert_eq!(response_v1(&text), Err(ErrorCode::PayloadField), "{text}");
    }
    assert_eq!(response_v1("{}"), Err(ErrorCode::PayloadField));
    // A v1 room has no n.
    assert_eq!(response_v1(V1_ROOM), Err(ErrorCode::PayloadField));
}

#[test]
fn os_payload_4_v1_wrong_types_are_payload_field() {
    for (name, value) in [
        ("t", "1"),
        ("t", "null"),
        ("t", "true"),
        ("t", "[]"),
        ("t", "{}"),
        ("t", r#"["Team sync"]"#),
        ("s", r#""1748851200""#),
        ("s", "null"),
        ("s", "true"),
        ("s", "[1748851200]"),
        ("s", "{}"),
        ("o", "11"),
        ("o", "null"),
        ("o", "[1,1]"),
        ("o", "{}"),
    ] {
        let text = v1_room_obj().set(name, value).text();
        assert_eq!(room_v1(&text), Err(ErrorCode::PayloadField), "{text}");
    }
    for (name, value) in [("n", "1"), ("n", "null"), ("o", "1"), ("o", "false")] {
        let text = v1_response_obj().set(name, value).text();
        assert_eq!(response_v1(&text), Err(ErrorCode::PayloadField), "{text}");
    }
}

#[test]
fn os_payload_4_start_with_fraction_or_exponent_is_payload_field() {
    for s in [
        "1748851200.0",
        "1748851200.5",
        "1.7488512e9",
        "1748851200e0",
        "1748851200E0",
        "17488512e2",
        "1e3",
        "1E3",
        "1.0",
        "0.0",
        "-0.0",
        "0e0",
    ] {
        let text = v1_room_obj().set("s", s).text();
        assert_eq!(room_v1(&text), Err(ErrorCode::PayloadField), "v1 s={s}");
        let text = v2_room_obj().set("start", s).text();
        assert_eq!(room_v2(&text), Err(ErrorCode::PayloadField), "v2 start={s}");
        let text = v2_response_obj().set("start", s).text();
        assert_eq!(
            response_v2(&text),
            Err(ErrorCode::PayloadField),
            "v2 start={s}"
        );
    }
}

#[test]
fn os_payload_4_start_out_of_the_safe_range_is_payload_field() {
    for s in [
        TWO_53,
        "-9007199254740992",
        "9007199254740993",
        "18446744073709551615",
        "18446744073709551616",
        "100000000000000000000000000000",
    ] {
        let text = v1_room_obj().set("s", s).text();
        assert_eq!(room_v1(&text), Err(ErrorCode::PayloadField), "v1 s={s}");
        let text = v2_room_obj().set("start", s).text();
        assert_eq!(room_v2(&text), Err(ErrorCode::PayloadField), "v2 start={s}");
    }
}

#[test]
fn os_payload_4_start_at_the_safe_range_bounds_is_valid() {
    for (s, value) in [
        (MAX_SAFE, 9_007_199_254_740_991_i64),
        ("-9007199254740991", -9_007_199_254_740_991),
        ("0", 0),
        ("-1800", -1800),
        ("1", 1),
    ] {
        let text = v1_room_obj().set("s", s).text();
        assert_eq!(room_v1(&text).unwrap().start, value, "v1 s={s}");
        let text = v2_room_obj().set("start", s).text();
        assert_eq!(room_v2(&text).unwrap().start, value, "v2 start={s}");
        let text = v2_response_obj().set("start", s).text();
        assert_eq!(
            response_v2(&text).unwrap().start,
            Some(value),
            "v2 start={s}"
        );
    }
}

#[test]
fn os_payload_4_negative_zero_is_not_an_integer() {
    // §8.3: "`1.0`, `1e3`, `-0` and `9007199254740992` are not integers here".
    let text = v1_room_obj().set("s", "-0").text();
    assert_eq!(
        room_v1(&text).map(|p| p.start),
        Err(ErrorCode::PayloadField)
    );
    let text = v2_room_obj().set("start", "-0").text();
    assert_eq!(
        room_v2(&text).map(|p| p.start),
        Err(ErrorCode::PayloadField)
    );
    let text = v2_response_obj().set("start", "-0").text();
    assert_eq!(
        response_v2(&text).map(|p| p.start),
        Err(ErrorCode::PayloadField)
    );
}

#[test]
fn os_payload_4_numbers_that_are_not_json_are_payload_json() {
    for s in ["01748851200", "+1748851200", ".5", "0x10", "Infinity", "-"] {
        let text = v1_room_obj().set("s", s).text();
        assert_eq!(room_v1(&text), Err(ErrorCode::PayloadJson), "v1 s={s}");
        let text = v2_room_obj().set("start", s).text();
        assert_eq!(room_v2(&text), Err(ErrorCode::PayloadJson), "v2 start={s}");
    }
}

#[test]
fn os_payload_4_v2_room_missing_member_is_payload_field() {
    for name in ["role", "room", "author", "title", "start", "mask"] {
        let text = v2_room_obj().without(name).text();
        assert_eq!(room_v2(&text), Err(ErrorCode::PayloadField), "{text}");
    }
    for m in [
        format!(r#"{{"b":"{ROOM_B}"}}"#),
        r#"{"n":50}"#.to_owned(),
        "{}".to_owned(),
    ] {
        let text = v2_room_obj().set("mask", &m).text();
        assert_eq!(room_v2(&text), Err(ErrorCode::PayloadField), "{text}");
    }
}

#[test]
fn os_payload_4_v2_response_missing_member_is_payload_field() {
    for name in ["role", "room", "author", "name", "start", "mask"] {
        let text = v2_response_obj().without(name).text();
        assert_eq!(response_v2(&text), Err(ErrorCode::PayloadField), "{text}");
    }
    let text = v2_response_obj().set("mask", r#"{"n":50}"#).text();
    assert_eq!(response_v2(&text), Err(ErrorCode::PayloadField));
}

#[test]
fn os_payload_4_v2_wrong_types_are_payload_field() {
    let cases: &[(&str, &str)] = &[
        ("role", "1"),
        ("role", "null"),
        ("role", r#"["room"]"#),
        ("room", "null"),
        ("room", "3"),
        ("author", "null"),
        ("author", "[]"),
        ("title", "null"),
        ("title", "9"),
        ("title", "{}"),
        ("start", r#""1748851200""#),
        ("start", "null"),
        ("start", "1748851200.0"),
        ("mask", r#""wAAAAAAAwA==""#),
        ("mask", "null"),
        ("mask", r#"{"n":"50","b":"wAAAAAAAwA=="}"#),
        ("mask", r#"{"n":50.0,"b":"wAAAAAAAwA=="}"#),
        ("mask", r#"{"n":5e1,"b":"wAAAAAAAwA=="}"#),
        ("mask", r#"{"n":null,"b":"wAAAAAAAwA=="}"#),
        ("mask", r#"{"n":9007199254740992,"b":"wAAAAAAAwA=="}"#),
        ("mask", r#"{"n":50,"b":null}"#),
        ("mask", r#"{"n":50,"b":1}"#),
        ("mask", r#"{"n":50,"b":["wAAAAAAAwA=="]}"#),
    ];
    for (name, value) in cases {
        let text = v2_room_obj().set(name, value).text();
        assert_eq!(room_v2(&text), Err(ErrorCode::PayloadField), "{text}");
    }
    let text = v2_response_obj().set("name", "1").text();
    assert_eq!(response_v2(&text), Err(ErrorCode::PayloadField));
}

#[test]
fn os_payload_4_v2_mask_as_array_is_payload_field() {
    // serde's derived structs also accept a sequence; the spec requires "the
    // mask is an object with the members of OS-MASK-5".
    let text = v2_room_obj()
        .set("mask", &format!(r#"[50,"{ROOM_B}"]"#))
        .text();
    assert_eq!(room_v2(&text).map(drop), Err(ErrorCode::PayloadField));
    let text = v2_response_obj()
        .set("mask", &format!(r#"[50,"{ALICE_B}"]"#))
        .text();
    assert_eq!(response_v2(&text).map(drop), Err(ErrorCode::PayloadField));
}

#[test]
fn os_payload_4_unknown_members_are_ignored() {
    let text = v1_room_obj()
        .push("x", "null")
        .push("extra", r#"[1,{"a":[true,"b"]}]"#)
        .push("n", r#""also a response member""#)
        .push("v", "7")
        .text();
    assert_eq!(room_v1(&text).unwrap(), room("Team sync"));
    let text = v1_response_obj().push("s", r#""not a number""#).text();
    assert_eq!(response_v1(&text).unwrap().name, "Alice");

    let mask = format!(r#"{{"z":[],"n":50,"b":"{ROOM_B}","extra":{{"q":1}}}}"#);
    let text = v2_room_obj()
        .set("mask", &mask)
        .push("name", "5")
        .push("zzz", r#"{"a":{"b":[]}}"#)
        .text();
    assert_eq!(room_v2(&text).unwrap(), room("Team sync"));
    let text = v2_response_obj().push("title", "null").text();
    assert_eq!(response_v2(&text).unwrap().name, "Alice");
}

#[test]
fn os_payload_1_numbers_beyond_a_double_are_payload_json() {
    // §8.3: a number beyond what an IEEE 754 double represents, known member
    // or not, makes the text not a JSON text here (RFC 8259 §9).
    let huge = format!("1{}", "0".repeat(400));
    for value in ["1e400", "-1e400", huge.as_str()] {
        let text = v1_room_obj().push("x", value).text();
        assert_eq!(room_v1(&text).map(|p| p.title), Err(ErrorCode::PayloadJson));
        let text = v2_room_obj().push("x", value).text();
        assert_eq!(room_v2(&text).map(|p| p.title), Err(ErrorCode::PayloadJson));
    }
}

#[test]
fn os_payload_4_any_member_order_is_read() {
    let text = format!(r#"{{"o":"{ROOM_MASK}","s":1748851200,"t":"Team sync"}}"#);
    assert_eq!(room_v1(&text).unwrap(), room("Team sync"));
    let text = format!(
        r#"{{"mask":{{"b":"{ROOM_B}","n":50}},"start":1748851200,"title":"Team sync","author":"{HOST}","room":"{ROOM_ID}","role":"room","v":2}}"#
    );
    assert_eq!(room_v2(&text).unwrap(), room("Team sync"));
}

#[test]
fn os_payload_4_escaped_strings_are_decoded() {
    let text = v1_room_obj().set("t", r#""\u0054eam\u0020sync\/""#).text();
    assert_eq!(room_v1(&text).unwrap().title, "Team sync/");
    let text = v2_response_obj()
        .set("name", r#""\ud83d\ude42\u00e9""#)
        .text();
    assert_eq!(response_v2(&text).unwrap().name, "🙂é");
    // Members compare by their decoded name.
    let text = v2_room_obj()
        .without("title")
        .push("\\u0074itle", r#""T""#)
        .text();
    assert_eq!(room_v2(&text).unwrap().title, "T");
}

// ---- OS-PAYLOAD-7: v -----------------------------------------------------------

#[test]
fn os_payload_7_v_other_than_2_is_payload_version() {
    for v in ["3", "1", "0", "-2", "20", MAX_SAFE] {
        let text = v2_room_obj().set("v", v).text();
        assert_eq!(room_v2(&text), Err(ErrorCode::PayloadVersion), "v={v}");
        let text = v2_response_obj().set("v", v).text();
        assert_eq!(response_v2(&text), Err(ErrorCode::PayloadVersion), "v={v}");
    }
}

#[test]
fn os_payload_7_v_missing_or_not_an_integer_is_payload_field() {
    // C-5 and C-6: a missing or non-integer v is payload-field.
    let missing = v2_room_obj().without("v").text();
    assert_eq!(room_v2(&missing), Err(ErrorCode::PayloadField));
    for v in [
        r#""2""#, "2.0", "2e0", "0.2e1", "null", "true", "[2]", "{}", TWO_53,
    ] {
        let text = v2_room_obj().set("v", v).text();
        assert_eq!(room_v2(&text), Err(ErrorCode::PayloadField), "v={v}");
        let text = v2_response_obj().set("v", v).text();
        assert_eq!(response_v2(&text), Err(ErrorCode::PayloadField), "v={v}");
    }
    // A v1 payload read as v2 has no v.
    assert_eq!(room_v2(V1_ROOM), Err(ErrorCode::PayloadField));
    assert_eq!(response_v2(V1_RESPONSE), Err(ErrorCode::PayloadField));
}

#[test]
fn os_payload_7_version_comes_before_the_other_members() {
    // Step 2 precedes step 3: v = 3 with a missing title is payload-version.
    let text = v2_room_obj().set("v", "3").without("title").text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadVersion));
    let text = v2_room_obj()
        .set("v", "3")
        .set("start", r#""x""#)
        .set("mask", "1")
        .text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadVersion));
    let text = r#"{"v":3}"#;
    assert_eq!(room_v2(text), Err(ErrorCode::PayloadVersion));
    assert_eq!(response_v2(text), Err(ErrorCode::PayloadVersion));
    // ... and before the binding.
    let text = v2_response_obj()
        .set("v", "1")
        .set("role", r#""room""#)
        .text();
    assert_eq!(response_v2(&text), Err(ErrorCode::PayloadVersion));
}

#[test]
fn os_payload_7_v1_readers_ignore_v() {
    let text = v1_room_obj().push("v", "3").text();
    assert_eq!(room_v1(&text).unwrap(), room("Team sync"));
}

// ---- OS-PAYLOAD-8: binding -----------------------------------------------------

#[test]
fn os_payload_8_role_swap_of_genuine_payloads_is_payload_field() {
    // A response payload read as a room lacks `title`, a room payload read
    // as a response lacks `name`: step 3 fails before the binding (step 4).
    let as_room = RoomPayload::parse_v2(V2_RESPONSE, &alice_binding()).map_err(|e| e.code());
    assert_eq!(err(as_room), ErrorCode::PayloadField);
    let as_response = ResponsePayload::parse_v2(V2_ROOM, &host_binding()).map_err(|e| e.code());
    assert_eq!(err(as_response), ErrorCode::PayloadField);
}

#[test]
fn os_payload_8_wrong_role_is_payload_binding() {
    // Payloads with the members of both roles: only `role` decides.
    let text = v2_room_obj()
        .set("role", r#""response""#)
        .push("name", r#""A""#)
        .text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadBinding));
    let text = v2_response_obj()
        .set("role", r#""room""#)
        .push("title", r#""T""#)
        .text();
    assert_eq!(response_v2(&text), Err(ErrorCode::PayloadBinding));
    for role in [
        r#""Room""#,
        r#""ROOM""#,
        r#""room ""#,
        r#""""#,
        r#""rooms""#,
    ] {
        let text = v2_room_obj().set("role", role).text();
        assert_eq!(
            room_v2(&text),
            Err(ErrorCode::PayloadBinding),
            "role={role}"
        );
    }
    let text = v2_response_obj().set("role", r#""Response""#).text();
    assert_eq!(response_v2(&text), Err(ErrorCode::PayloadBinding));
}

#[test]
fn os_payload_8_room_id_mismatch_is_payload_binding() {
    for room_id in [
        "3F2A8C1E-9B4D-4E7A-8C21-5D6F0A9B7E13", // exact strings: no case-folding
        "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e14",
        "3f2a8c1e9b4d4e7a8c215d6f0a9b7e13",
        "",
        " 3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13",
    ] {
        let text = v2_room_obj().set("room", &format!("\"{room_id}\"")).text();
        assert_eq!(room_v2(&text), Err(ErrorCode::PayloadBinding), "{room_id}");
        let text = v2_response_obj()
            .set("room", &format!("\"{room_id}\""))
            .text();
        assert_eq!(
            response_v2(&text),
            Err(ErrorCode::PayloadBinding),
            "{room_id}"
        );
    }
    // The binding's side is compared exactly too.
    let upper = Binding {
        room_id: "3F2A8C1E-9B4D-4E7A-8C21-5D6F0A9B7E13",
        author: HOST,
    };
    assert_eq!(
        RoomPayload::parse_v2(V2_ROOM, &upper)
            .map_err(|e| e.code())
            .err(),
        Some(ErrorCode::PayloadBinding)
    );
}

#[test]
fn os_payload_8_author_mismatch_is_payload_binding() {
    for author in [
        ALICE.to_owned(),
        HOST.to_uppercase(),
        format!("{HOST}0"),
        String::new(),
    ] {
        let text = v2_room_obj().set("author", &format!("\"{author}\"")).text();
        assert_eq!(room_v2(&text), Err(ErrorCode::PayloadBinding), "{author}");
    }
    // The response of §8.4 read as if another key had published it.
    let other = Binding {
        room_id: ROOM_ID,
        author: HOST,
    };
    assert_eq!(
        ResponsePayload::parse_v2(V2_RESPONSE, &other)
            .map_err(|e| e.code())
            .err(),
        Some(ErrorCode::PayloadBinding)
    );
}

#[test]
fn os_payload_8_binding_order_relative_to_steps_3_and_5() {
    // Step 3 before step 4: a missing member and a wrong room give field.
    let text = v2_room_obj().set("room", r#""x""#).without("title").text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadField));
    let text = v2_room_obj()
        .set("author", r#""x""#)
        .set("start", "1.5")
        .text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadField));
    let text = v2_room_obj()
        .set("role", r#""response""#)
        .set("mask", r#"{"n":"50","b":"wAAAAAAAwA=="}"#)
        .text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadField));
    // Step 4 before step 5: a wrong author and a title over 512 bytes.
    let long = format!("\"{}\"", "a".repeat(513));
    let text = v2_room_obj()
        .set("author", r#""x""#)
        .set("title", &long)
        .text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadBinding));
    // Step 4 before step 6: a wrong room and a broken mask.
    let text = v2_room_obj()
        .set("room", r#""x""#)
        .set("mask", &mask_obj("0", ""))
        .text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadBinding));
}

#[test]
fn os_payload_8_v1_has_no_binding() {
    // v1 payloads name no role, room or author; any v1 binding is ignored.
    let text = v1_room_obj()
        .push("role", r#""response""#)
        .push("room", r#""x""#)
        .push("author", r#""y""#)
        .text();
    assert_eq!(room_v1(&text).unwrap(), room("Team sync"));
}

// ---- OS-PAYLOAD-9: sizes -----------------------------------------------------

#[test]
fn os_payload_9_v2_title_of_512_bytes_is_valid() {
    let title = "é".repeat(256); // 256 characters, 512 bytes
    assert_eq!(title.len(), 512);
    let text = v2_room_obj().set("title", &format!("\"{title}\"")).text();
    assert_eq!(room_v2(&text).unwrap().title, title);
    let written = write_room(&room(&title), Profile::V2).unwrap();
    assert_eq!(written, text);
}

#[test]
fn os_payload_9_v2_title_of_513_bytes_is_payload_too_large() {
    let title = format!("{}a", "é".repeat(256)); // 257 characters, 513 bytes
    let text = v2_room_obj().set("title", &format!("\"{title}\"")).text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadTooLarge));
    assert_eq!(
        write_room(&room(&title), Profile::V2),
        Err(ErrorCode::PayloadTooLarge)
    );
    // 171 × '€' (3 bytes) = 513 bytes in 171 characters.
    let title = "€".repeat(171);
    assert_eq!(
        write_room(&room(&title), Profile::V2),
        Err(ErrorCode::PayloadTooLarge)
    );
    let text = v2_room_obj().set("title", &format!("\"{title}\"")).text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadTooLarge));
}

#[test]
fn os_payload_9_v2_title_limit_is_on_the_decoded_string() {
    // 512 line feeds: 1024 bytes escaped, 512 decoded.
    let text = v2_room_obj()
        .set("title", &format!("\"{}\"", "\\n".repeat(512)))
        .text();
    assert_eq!(room_v2(&text).unwrap().title, "\n".repeat(512));
    // 256 × \u00e9: 1536 bytes escaped, 512 decoded.
    let text = v2_room_obj()
        .set("title", &format!("\"{}\"", "\\u00e9".repeat(256)))
        .text();
    assert_eq!(room_v2(&text).unwrap().title, "é".repeat(256));
    let text = v2_room_obj()
        .set("title", &format!("\"{}a\"", "\\u00e9".repeat(256)))
        .text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadTooLarge));
    // A writer escapes 512 quotes to 1024 bytes; the limit is still met.
    let title = "\"".repeat(512);
    let written = write_room(&room(&title), Profile::V2).unwrap();
    assert!(written.contains(&"\\\"".repeat(512)));
}

#[test]
fn os_payload_9_v2_name_of_128_bytes_is_valid() {
    for name in [
        "é".repeat(64),
        format!("{}ab", "€".repeat(42)),
        "n".repeat(128),
    ] {
        assert_eq!(name.len(), 128);
        let text = v2_response_obj().set("name", &format!("\"{name}\"")).text();
        assert_eq!(response_v2(&text).unwrap().name, name);
        assert_eq!(
            write_response(&response(&name, Some(START)), Profile::V2).unwrap(),
            text
        );
    }
}

#[test]
fn os_payload_9_v2_name_of_129_bytes_is_payload_too_large() {
    for name in [
        format!("{}a", "é".repeat(64)),
        "€".repeat(43),
        "n".repeat(129),
    ] {
        assert_eq!(name.len(), 129);
        let text = v2_response_obj().set("name", &format!("\"{name}\"")).text();
        assert_eq!(response_v2(&text), Err(ErrorCode::PayloadTooLarge));
        assert_eq!(
            write_response(&response(&name, Some(START)), Profile::V2),
            Err(ErrorCode::PayloadTooLarge)
        );
    }
}

#[test]
fn os_payload_9_v1_has_no_title_or_name_limit() {
    let title = "é".repeat(1000);
    let text = v1_room_obj().set("t", &format!("\"{title}\"")).text();
    assert_eq!(room_v1(&text).unwrap().title, title);
    assert!(write_room(&room(&title), Profile::V1).is_ok());
    let name = "n".repeat(1000);
    let text = v1_response_obj().set("n", &format!("\"{name}\"")).text();
    assert_eq!(response_v1(&text).unwrap().name, name);
    assert!(write_response(&response(&name, None), Profile::V1).is_ok());
}

#[test]
fn os_payload_9_too_large_comes_before_the_mask() {
    // Step 5 precedes step 6.
    let long = format!("\"{}\"", "a".repeat(513));
    let text = v2_room_obj()
        .set("title", &long)
        .set("mask", &mask_obj("0", ""))
        .text();
    assert_eq!(room_v2(&text), Err(ErrorCode::PayloadTooLarge));
    let long = format!("\"{}\"", "a".repeat(129));
    let text = v2_response_obj()
        .set("name", &long)
        .set("mask", &mask_obj("50", "!"))
        .text();
    assert_eq!(response_v2(&text), Err(ErrorCode::PayloadTooLarge));
}

/// A v1 room with start 1748851200 (10 digits) and mask "11":
/// `{"t":"` 6 + T + `","s":` 6 + 10 + `,"o":"` 6 + 2 + `"}` 2 = 32 + T bytes.
fn v1_room_of_title(title: String) -> RoomPayload {
    RoomPayload {
        title,
        start: START,
        mask: Mask::from_indices(2, [0, 1]),
    }
}

#[test]
fn os_payload_9_v1_room_plaintext_of_65535_bytes_is_written() {
    // T = 65503: 32751 × 'é' (65502 bytes) and one 'a'.
    let title = format!("{}a", "é".repeat(32_751));
    let json = write_room(&v1_room_of_title(title), Profile::V1).unwrap();
    assert_eq!(json.len(), 65_535);
    // T counts serialised bytes: 32751 quotes are 65502 bytes once escaped.
    let title = format!("{}a", "\"".repeat(32_751));
    let json = write_room(&v1_room_of_title(title), Profile::V1).unwrap();
    assert_eq!(json.len(), 65_535);
}

#[test]
fn os_payload_9_v1_room_plaintext_over_65535_bytes_is_payload_too_large() {
    // T = 65504 gives 65536 bytes.
    let title = "é".repeat(32_752);
    assert_eq!(
        write_room(&v1_room_of_title(title), Profile::V1),
        Err(ErrorCode::PayloadTooLarge)
    );
    // 32752 quotes: only 32752 bytes of title, 65504 once escaped.
    let title = "\"".repeat(32_752);
    assert_eq!(
        write_room(&v1_room_of_title(title), Profile::V1),
        Err(ErrorCode::PayloadTooLarge)
    );
    // 32752 U+0001: 196512 bytes once escaped as \u0001.
    let title = "\u{1}".repeat(32_752);
    assert_eq!(
        write_room(&v1_room_of_title(title), Profile::V1),
        Err(ErrorCode::PayloadTooLarge)
    );
    // A huge title.
    let title = "x".repeat(100_000);
    assert_eq!(
        write_room(&v1_room_of_title(title), Profile::V1),
        Err(ErrorCode::PayloadTooLarge)
    );
}

#[test]
fn os_payload_9_v1_room_plaintext_over_65535_bytes_by_its_mask() {
    // §10.2: a v1 room payload is 30 + T + M bytes with a 10-digit start.
    // Title "" and a mask of 65505 characters: 65535 bytes, written.
    let p = RoomPayload {
        title: String::new(),
        start: START,
        mask: Mask::from_indices(65_505, [0, 65_504]),
    };
    assert_eq!(write_room(&p, Profile::V1).unwrap().len(), 65_535);
    // Title "a": 65536 bytes.
    let p = RoomPayload {
        title: "a".into(),
        ..p
    };
    assert_eq!(write_room(&p, Profile::V1), Err(ErrorCode::PayloadTooLarge));
}

#[test]
fn os_payload_9_v1_response_plaintext_limit() {
    // `{"n":"` 6 + N + `","o":"` 7 + M + `"}` 2 = 15 + N + M; mask "1".
    let resp = |name: String| ResponsePayload {
        name,
        start: None,
        mask: Mask::from_indices(1, [0]),
    };
    let json = write_response(&resp("n".repeat(65_519)), Profile::V1).unwrap();
    assert_eq!(json.len(), 65_535);
    assert_eq!(
        write_response(&resp("n".repeat(65_520)), Profile::V1),
        Err(ErrorCode::PayloadTooLarge)
    );
    assert_eq!(
        write_response(&resp("\\".repeat(32_760)), Profile::V1),
        Err(ErrorCode::PayloadTooLarge)
    );
}

// ---- §8.3 step 6: mask codes propagate ------------------------------------------

#[test]
fn os_payload_4_v1_room_mask_codes_propagate() {
    for (o, want) in [
        ("", ErrorCode::MaskLength),
        ("1a1", ErrorCode::MaskEncoding),
        ("1 1", ErrorCode::MaskEncoding),
        ("1２1", ErrorCode::MaskEncoding),
        ("100", ErrorCode::MaskUntrimmed),
        ("01", ErrorCode::MaskUntrimmed),
        ("0", ErrorCode::MaskUntrimmed),
        ("000", ErrorCode::MaskUntrimmed),
    ] {
        let text = v1_room_obj().set("o", &format!("\"{o}\"")).text();
        assert_eq!(room_v1(&text), Err(want), "o={o:?}");
    }
    let big = "1".repeat(65_536);
    let text = v1_room_obj().set("o", &format!("\"{big}\"")).text();
    assert_eq!(room_v1(&text), Err(ErrorCode::MaskTooLarge));
    let ok = "1".repeat(65_535);
    let text = v1_room_obj().set("o", &format!("\"{ok}\"")).text();
    assert_eq!(room_v1(&text).unwrap().mask.len(), 65_535);
}

#[test]
fn os_mask_1_v1_length_is_checked_before_characters() {
    // §10.3: empty, then longer than 65535 characters, then the characters.
    let big = format!("1x{}", "1".repeat(65_535));
    let text = v1_room_obj().set("o", &format!("\"{big}\"")).text();
    assert_eq!(room_v1(&text), Err(ErrorCode::MaskTooLarge));
    let text = v1_response_obj().set("o", &format!("\"{big}\"")).text();
    assert_eq!(response_v1(&text).map(drop), Err(ErrorCode::MaskTooLarge));
}

#[test]
fn os_payload_4_v1_response_mask_codes_propagate() {
    for (o, want) in [
        ("", Err(ErrorCode::MaskLength)),
        ("0a", Err(ErrorCode::MaskEncoding)),
        ("0", Ok(Mask::zeros(1))),
        ("00", Ok(Mask::zeros(2))),
        ("010", Ok(Mask::from_indices(3, [1]))),
    ] {
        let text = v1_response_obj().set("o", &format!("\"{o}\"")).text();
        assert_eq!(response_v1(&text).map(|p| p.mask), want, "o={o:?}");
    }
    let big = "0".repeat(65_536);
    let text = v1_response_obj().set("o", &format!("\"{big}\"")).text();
    assert_eq!(response_v1(&text).map(drop), Err(ErrorCode::MaskTooLarge));
}

#[test]
fn os_payload_4_v2_room_mask_codes_propagate() {
    for (n, b, want) in [
        ("0", ROOM_B, ErrorCode::MaskLength),
        ("0", "!!", ErrorCode::MaskLength),
        ("35137", ROOM_B, ErrorCode::MaskTooLarge),
        ("35137", "!!", ErrorCode::MaskTooLarge),
        (MAX_SAFE, "", ErrorCode::MaskTooLarge),
        ("50", "wAAAAAAAwA=", ErrorCode::MaskEncoding),
        ("50", "wAAAAAAAwA", ErrorCode::MaskEncoding),
        ("50", "wAAAAAAAwB==", ErrorCode::MaskEncoding), // non-zero unused bits
        ("50", "wAAAAAAAwA==\\n", ErrorCode::MaskEncoding),
        ("50", "wAAA AAAAwA==", ErrorCode::MaskEncoding),
        ("50", "", ErrorCode::MaskLength),
        ("50", "wAAAAAAA", ErrorCode::MaskLength), // 6 bytes
        ("50", "wAAAAAAAwAA=", ErrorCode::MaskLength), // 8 bytes
        ("50", "wAAAAAAAwQ==", ErrorCode::MaskTrailingBits), // bit 55
        ("50", "QAAAAAAAwA==", ErrorCode::MaskUntrimmed), // bit 0 clear
        ("50", "wAAAAAAAgA==", ErrorCode::MaskUntrimmed), // bit 49 clear
        ("50", "AAAAAAAAAA==", ErrorCode::MaskUntrimmed),
    ] {
        let text = v2_room_obj().set("mask", &mask_obj(n, b)).text();
        assert_eq!(room_v2(&text), Err(want), "n={n} b={b:?}");
    }
    // URL-safe alphabet: bytes fb ff -> "+/8=" standard, "-_8=" URL-safe.
    let text = v2_room_obj().set("mask", &mask_obj("16", "-_8=")).text();
    assert_eq!(room_v2(&text), Err(ErrorCode::MaskEncoding));
    let text = v2_room_obj().set("mask", &mask_obj("16", "+/8=")).text();
    assert_eq!(room_v2(&text).unwrap().mask.len(), 16);
    // One slot: byte 80.
    let text = v2_room_obj().set("mask", &mask_obj("1", "gA==")).text();
    assert_eq!(room_v2(&text).unwrap().mask, Mask::from_indices(1, [0]));
}

#[test]
fn os_payload_4_v2_negative_mask_n_is_mask_length() {
    // §8.3 step 3 only asks that n be an integer; -1 is one. §10.3 step 1:
    // n < 1 is mask-length (OS-MASK-6).
    for n in ["-1", "-9007199254740991"] {
        let text = v2_room_obj().set("mask", &mask_obj(n, ROOM_B)).text();
        assert_eq!(
            room_v2(&text).map(drop),
            Err(ErrorCode::MaskLength),
            "n={n}"
        );
        let text = v2_response_obj().set("mask", &mask_obj(n, ALICE_B)).text();
        assert_eq!(
            response_v2(&text).map(drop),
            Err(ErrorCode::MaskLength),
            "n={n}"
        );
    }
}

#[test]
fn os_payload_6_v2_response_mask_codes_propagate() {
    for (n, b, want) in [
        ("0", ALICE_B, Err(ErrorCode::MaskLength)),
        ("35137", ALICE_B, Err(ErrorCode::MaskTooLarge)),
        ("50", "QAAAAAAAgA=", Err(ErrorCode::MaskEncoding)),
        ("50", "QAAAAAAA", Err(ErrorCode::MaskLength)),
        ("50", "QAAAAAAAgQ==", Err(ErrorCode::MaskTrailingBits)),
        // A response mask need not be trimmed.
        ("50", "AAAAAAAAAA==", Ok(Mask::zeros(50))),
        ("50", ALICE_B, Ok(alice_mask())),
    ] {
        let text = v2_response_obj().set("mask", &mask_obj(n, b)).text();
        assert_eq!(response_v2(&text).map(|p| p.mask), want, "n={n} b={b:?}");
    }
}

#[test]
fn os_payload_2_writer_propagates_mask_codes() {
    // A room mask must be trimmed (OS-MASK-2) in both profiles; a v1 mask
    // may end in one clear position (the deployed app's off-grid ending).
    for profile in [Profile::V1, Profile::V2] {
        let p = RoomPayload {
            title: "x".into(),
            start: START,
            mask: Mask::from_indices(4, [0, 1]),
        };
        assert_eq!(write_room(&p, profile), Err(ErrorCode::MaskUntrimmed));
    }
    let p = RoomPayload {
        title: "x".into(),
        start: START,
        mask: Mask::from_indices(3, [0, 1]),
    };
    assert_eq!(
        write_room(&p, Profile::V1),
        Ok(r#"{"t":"x","s":1748851200,"o":"110"}"#.to_owned())
    );
    assert_eq!(write_room(&p, Profile::V2), Err(ErrorCode::MaskUntrimmed));
    // v2: more than 35,136 slots (OS-MASK-4, OS-MASK-6).
    let p = RoomPayload {
        title: "x".into(),
        start: START,
        mask: Mask::from_indices(35_137, [0, 35_136]),
    };
    assert_eq!(write_room(&p, Profile::V2), Err(ErrorCode::MaskTooLarge));
    let p = RoomPayload {
        mask: Mask::from_indices(35_136, [0, 35_135]),
        ..p
    };
    let json = write_room(&p, Profile::V2).unwrap();
    assert!(json.ends_with(&format!(
        r#""mask":{{"n":35136,"b":"{}"}}}}"#,
        // 4392 bytes: 80, 4390 zero bytes, 01; base64 in groups of 3 bytes.
        v2_b64_first_last(4392)
    )));
}

/// The base64 of `len` bytes (len a multiple of 3) of which the first is 0x80,
/// the last 0x01, and the rest zero: "gAAA", then "AAAA" per 3 zero bytes,
/// then "AAAB".
fn v2_b64_first_last(len: usize) -> String {
    assert_eq!(len % 3, 0);
    format!("gAAA{}AAAB", "AAAA".repeat(len / 3 - 2))
}

#[test]
fn os_payload_5_v1_and_v2_round_trip() {
    // Writer output is read back to the same payload (§8.2: readers accept
    // what writers produce).
    let p = RoomPayload {
        title: "a\"\\\n\u{1}/é🙂\u{2028}".into(),
        start: -1_800,
        mask: Mask::from_indices(9, [0, 3, 8]),
    };
    let v1 = write_room(&p, Profile::V1).unwrap();
    assert_eq!(
        v1,
        "{\"t\":\"a\\\"\\\\\\n\\u0001/é🙂\u{2028}\",\"s\":-1800,\"o\":\"100100001\"}"
    );
    assert_eq!(room_v1(&v1).unwrap(), p);
    let v2 = write_room(&p, Profile::V2).unwrap();
    // Positions 0, 3, 8 of 9: bytes 90 80 -> "kIA=".
    assert!(
        v2.ends_with(r#","start":-1800,"mask":{"n":9,"b":"kIA="}}"#),
        "{v2}"
    );
    assert_eq!(room_v2(&v2).unwrap(), p);
    assert_eq!(
        RoomPayload::parse(Profile::V2, &v2, &host_binding()).unwrap(),
        p
    );
    assert_eq!(
        RoomPayload::parse(Profile::V1, &v1, &host_binding()).unwrap(),
        p
    );
}

#[test]
fn os_payload_3_mask_helpers_agree_with_section_10_4() {
    // The v1 strings of §10.4 and the masks used above.
    assert_eq!(mask::encode_v1(&room_mask()), ROOM_MASK);
    assert_eq!(mask::decode_v1(ALICE_MASK).unwrap(), alice_mask());
}

/// OS-PAYLOAD-13: an escaped lone surrogate is `payload-json`.
#[test]
fn os_payload_13_lone_surrogate_escapes_are_payload_json() {
    // A high surrogate escape alone, a low one alone, and a high one followed
    // by a non-surrogate escape: payload-json in both profiles.
    for bad in [r"Team \ud800sync", r"\udc00Team", r"Team \ud83d\u0041"] {
        let v1 = format!(r#"{{"t":"{bad}","s":1748851200,"o":"11"}}"#);
        assert_eq!(room_v1(&v1), Err(ErrorCode::PayloadJson), "{bad}");
        let v1 = format!(r#"{{"n":"{bad}","o":"01"}}"#);
        assert_eq!(response_v1(&v1), Err(ErrorCode::PayloadJson), "{bad}");
    }
    // A pair of escapes is one character.
    let v1 = r#"{"t":"Team \ud83d\ude00","s":1748851200,"o":"11"}"#;
    assert_eq!(
        room_v1(v1).map(|p| p.title),
        Ok("Team \u{1f600}".to_owned())
    );
}
