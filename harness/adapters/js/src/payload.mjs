// Payloads (spec §8): the writers (JSON.stringify of objects built in the
// member order of OS-PAYLOAD-2/3/5/6) and the reader of §8.3 with its check
// order: JSON, version, members and types, binding, sizes, then the mask.

import { fail } from "./errors.mjs";
import { utf8 } from "./bytes.mjs";
import { parseJson, JsonNumber } from "./json.mjs";
import { decodeV1, decodeV2, encodeV2, checkTrimmed, checkWritable } from "./mask.mjs";

const TITLE_MAX = 512;
const NAME_MAX = 128;

function checkSize(text) {
  const n = utf8(text).length;
  if (n > 65535) fail("payload-too-large", `payload of ${n} bytes; at most 65535 (OS-PAYLOAD-9)`);
  return text;
}

/** §8.2 "Writing", step 2: the start is an integer in -(2^53-1)..=2^53-1 (OS-PAYLOAD-4). */
function checkStart(start) {
  if (typeof start !== "number" || !Number.isSafeInteger(start)) fail("payload-field", "start is not an integer in -(2^53-1)..2^53-1 (OS-PAYLOAD-4)");
}

function checkV2Lengths({ title, name }) {
  if (title !== undefined && utf8(title).length > TITLE_MAX) fail("payload-too-large", `title of ${utf8(title).length} bytes; at most ${TITLE_MAX} (OS-PAYLOAD-9)`);
  if (name !== undefined && utf8(name).length > NAME_MAX) fail("payload-too-large", `name of ${utf8(name).length} bytes; at most ${NAME_MAX} (OS-PAYLOAD-9)`);
}

/**
 * The room payload of a profile (OS-PAYLOAD-2, OS-PAYLOAD-5), by the steps
 * of §8.2 "Writing" in order (OS-PAYLOAD-12): the mask first (OS-MASK-12),
 * then the title's length, then the size.
 */
export function writeRoom(profile, { title, start, mask, roomId, author }) {
  checkWritable(profile, "room", mask);
  checkStart(start);
  if (profile === "v2") {
    checkV2Lengths({ title });
    return checkSize(JSON.stringify({ v: 2, role: "room", room: roomId, author, title, start, mask: encodeV2(mask) }));
  }
  return checkSize(JSON.stringify({ t: title, s: start, o: mask }));
}

/** The response payload of a profile (OS-PAYLOAD-3, OS-PAYLOAD-6), mask first (OS-MASK-12). */
export function writeResponse(profile, { name, start, mask, roomId, author }) {
  checkWritable(profile, "response", mask);
  if (profile === "v2") {
    checkStart(start);
    checkV2Lengths({ name });
    return checkSize(JSON.stringify({ v: 2, role: "response", room: roomId, author, name, start, mask: encodeV2(mask) }));
  }
  return checkSize(JSON.stringify({ n: name, o: mask }));
}

const isString = (v) => typeof v === "string";
const isInteger = (v) => v instanceof JsonNumber && v.isInteger();
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof JsonNumber);

/**
 * §8.3: reads a payload as `role` ("room" or "response"). ctx: {roomId, author}
 * for v2 binding; {roomMask} to check a v1 response's length (OS-MASK-3).
 * Returns {title|name, start?, mask} with mask as a 0/1 string.
 */
export function readPayload(profile, role, plaintext, ctx = {}) {
  // 1. JSON object; a repeated member name is payload-json in both profiles
  let parsed;
  try {
    parsed = parseJson(plaintext, { scalarStrings: true });
  } catch (e) {
    fail("payload-json", `not a JSON text: ${e.message} (OS-PAYLOAD-1)`);
  }
  const o = parsed.value;
  if (!isObject(o)) fail("payload-json", "the JSON value is not an object (OS-PAYLOAD-1)");
  if (parsed.duplicates) fail("payload-json", "a member name occurs twice (OS-PAYLOAD-1)");
  if (profile === "v2") {
    // 2. version
    if (!isInteger(o.v)) fail("payload-field", "v is missing or not an integer (OS-PAYLOAD-4)");
    if (o.v.value !== 2) fail("payload-version", `v is ${o.v.value} (OS-PAYLOAD-7)`);
    // 3. members
    const text = role === "room" ? "title" : "name";
    for (const k of ["role", "room", "author", text]) if (!isString(o[k])) fail("payload-field", `${k} is missing or not a string (OS-PAYLOAD-4)`);
    if (!isInteger(o.start)) fail("payload-field", "start is missing or not an integer (OS-PAYLOAD-4)");
    if (!isObject(o.mask) || !isInteger(o.mask.n) || !isString(o.mask.b)) fail("payload-field", "mask is not an object with an integer n and a string b (OS-PAYLOAD-4)");
    // 4. binding
    if (o.role !== role) fail("payload-binding", `role is ${JSON.stringify(o.role)}, read as ${role} (OS-PAYLOAD-8)`);
    if (o.room !== ctx.roomId) fail("payload-binding", "room is not the link's room id (OS-PAYLOAD-8)");
    if (o.author !== ctx.author) fail("payload-binding", "author is not the event's pubkey (OS-PAYLOAD-8)");
    // 5. sizes
    checkV2Lengths({ [text]: o[text] });
    // 6. mask
    let mask = decodeV2(o.mask.n.value, o.mask.b);
    if (role === "room") mask = checkTrimmed("v2", mask);
    const out = { start: o.start.value, mask };
    out[text] = o[text];
    return out;
  }
  // v1: 3. members
  if (role === "room") {
    if (!isString(o.t)) fail("payload-field", "t is missing or not a string (OS-PAYLOAD-4)");
    if (!isInteger(o.s)) fail("payload-field", "s is missing or not an integer (OS-PAYLOAD-4)");
    if (!isString(o.o)) fail("payload-field", "o is missing or not a string (OS-PAYLOAD-4)");
    return { title: o.t, start: o.s.value, mask: checkTrimmed("v1", decodeV1(o.o)) };
  }
  if (!isString(o.n)) fail("payload-field", "n is missing or not a string (OS-PAYLOAD-4)");
  if (!isString(o.o)) fail("payload-field", "o is missing or not a string (OS-PAYLOAD-4)");
  const mask = decodeV1(o.o);
  if (ctx.roomMask !== undefined && mask.length !== ctx.roomMask.length) fail("mask-length", `response mask of ${mask.length} positions, room of ${ctx.roomMask.length} (OS-MASK-3)`);
  return { name: o.n, mask };
}
