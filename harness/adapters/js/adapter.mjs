#!/usr/bin/env node
// OpenSlots adapter (spec/adapter-protocol.md, protocol 1): JSON Lines over
// stdin/stdout, one response per request, in order. Nothing but responses is
// written to stdout; diagnostics go to stderr. The wall clock is never read:
// every time comes in the request's input. The client operations (adapter
// protocol §9) need the platform's WebSocket: Node 22 and later, or Node 20
// started with `--experimental-websocket`; without it they answer
// `unsupported` with that reason.

import { createInterface } from "node:readline";
import { OsError, BadRequest } from "./src/errors.mjs";
import { NoWebSocket } from "./src/client.mjs";
import { OPERATIONS, Unsupported } from "./src/operations.mjs";
import { parseJson, JsonNumber } from "./src/json.mjs";

const NAME = "openslots-adapter-js";
const VERSION = "0.1.0";
const PROFILES = ["v1", "v2", "any"];

/** JSON text of an answer; a BigInt is written as its exact decimal digits. */
function toJson(v) {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? "null" : toJson(x))).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const members = Object.keys(v).filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${toJson(v[k])}`);
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

// Requests are read with the strict reader of src/json.mjs, not JSON.parse:
// an integer beyond 2^53-1 in magnitude (a u64 epoch, a boundary value) is
// read exactly, as a BigInt, instead of being rounded to a neighbouring
// double; every other number is a Number, as JSON.parse gives it.
function requestValue(v) {
  if (v instanceof JsonNumber) {
    return !/[.eE]/.test(v.raw) && !Number.isSafeInteger(v.value) ? BigInt(v.raw) : v.value;
  }
  if (Array.isArray(v)) return v.map(requestValue);
  if (v !== null && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v)) Object.defineProperty(o, k, { value: requestValue(v[k]), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return v;
}

function write(obj) {
  process.stdout.write(toJson(obj) + "\n");
}

async function answer(line) {
  let req;
  try {
    req = requestValue(parseJson(line).value);
  } catch {
    process.stderr.write(`${NAME}: a request line is not JSON\n`);
    return { id: null, unsupported: "the request is not a JSON object" };
  }
  if (req === null || typeof req !== "object" || Array.isArray(req)) return { id: null, unsupported: "the request is not a JSON object" };
  const { id, op, profile, input } = req;
  if (op === "hello") {
    return { id, ok: { name: NAME, version: VERSION, protocol: 1, profiles: ["v1", "v2"], operations: Object.keys(OPERATIONS), ...(process.versions.tz ? { tzdata: process.versions.tz } : {}) } };
  }
  if (!Object.prototype.hasOwnProperty.call(OPERATIONS, op)) return { id, unsupported: `operation ${JSON.stringify(op)} is not implemented` };
  if (!PROFILES.includes(profile)) return { id, unsupported: `profile ${JSON.stringify(profile)} is not implemented` };
  if (input === null || typeof input !== "object" || Array.isArray(input)) return { id, unsupported: "input is not an object" };
  try {
    return { id, ok: await OPERATIONS[op](input, profile) };
  } catch (e) {
    if (e instanceof OsError) return { id, error: { code: e.code, message: e.message } };
    if (e instanceof BadRequest) return { id, error: { code: "bad-request", message: e.message } };
    if (e instanceof Unsupported || e instanceof NoWebSocket) return { id, unsupported: e.message };
    // A failure that is no protocol error (malformed input the operation did
    // not anticipate): reported, never fatal.
    process.stderr.write(`${NAME}: ${op} #${id}: ${e?.stack ?? e}\n`);
    return { id, unsupported: `internal failure on this input: ${e?.message ?? e}` };
  }
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
let chain = Promise.resolve();
rl.on("line", (line) => {
  chain = chain.then(async () => write(await answer(line)));
});
// OS-ADAPTER-3: once stdin is closed and the last answer is written, nothing
// keeps the event loop alive and the process ends with status 0.
rl.on("close", () => {
  chain = chain.then(() => {
    process.exitCode = 0;
  });
});
