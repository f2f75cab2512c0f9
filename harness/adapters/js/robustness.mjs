#!/usr/bin/env node
// Sends the adapter malformed requests and checks the protocol holds: one
// JSON answer per request, in order, with the request's id, each an `ok`, an
// `error` with a spec §15 code, or `unsupported`; and no "internal failure"
// (an exception the operation did not turn into a protocol error). The
// requests: every member of one valid case of every vector group replaced
// by each of 20 wrong values (also inside events), plus each operation and
// profile with an empty input, then lines that are not requests. The client
// operations get the same treatment with no relay given, so nothing is sent
// on the network; `bad-request` (OS-ADAPTER-6) is accepted for an input
// without the members an operation needs.
//
// usage: node robustness.mjs [--adapter "<command>"]   (exit status 1 on a violation)

import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { readFileSync, readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { CODES } from "./src/errors.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, "..", "..", "..", "vectors");
const i = process.argv.indexOf("--adapter");
const cmd = i > 0 ? process.argv[i + 1] : `node --experimental-websocket ${JSON.stringify(join(here, "adapter.mjs"))}`;

const bad = [null, 0, -1, 1.5, "", "x", [], {}, [[]], [1], true, 1e308, -1e308, "1".repeat(70000), [null], { a: 1 }, [["d"]], [{}], "\ud800", 9007199254740993];
const reqs = [];
let id = 1;
const ops = new Set();
for (const f of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
  for (const g of JSON.parse(readFileSync(join(dir, f), "utf8")).testGroups) {
    ops.add(g.operation);
    const base = (g.tests.find((t) => t.result === "valid") ?? g.tests[0]).input;
    const push = (input) => reqs.push({ id: id++, op: g.operation, profile: g.profile, input });
    for (const k of Object.keys(base)) for (const v of bad) push({ ...base, [k]: v });
    if (base.event) for (const k of Object.keys(base.event)) for (const v of bad) push({ ...base, event: { ...base.event, [k]: v } });
    if (base.events) {
      for (const k of Object.keys(base.events[0])) for (const v of bad) push({ ...base, events: [{ ...base.events[0], [k]: v }, ...base.events.slice(1)] });
      for (const v of bad) push({ ...base, events: [v, ...base.events] });
    }
  }
}
// The client operations (adapter protocol §9), with no relay given (or a
// relay URL the bad values never make valid), so nothing goes on the network:
// each member of a valid input replaced by each wrong value.
const V1_LINK = "https://openslots.example/room/3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13#000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const V2_LINK = "https://openslots.example/room/3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13#v2.000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f.3df44f70ae069ffec84a1492967541e785e49f7d8f0433a3466164315f83fcc8";
const common = { relays: [], timeout_ms: 50, now: 1748500000 };
const secret = { device_secret: "65448733ae363f651fc4b5b7343ebdc9ddeb2d218cd36d5310109564df49c01a", nonce: "01".repeat(32), aux_rand: "00".repeat(32) };
const slots = [1748851200, 1748853000];
const clientCases = [];
for (const [profile, link] of [["v1", V1_LINK], ["v2", V2_LINK]]) {
  clientCases.push(
    ["create_room", profile, { ...common, ...secret, origin: "https://openslots.example", room_id: "3f2a8c1e-9b4d-4e7a-8c21-5d6f0a9b7e13", room_key: "00".repeat(32), title: "Team sync", slots }],
    ["join_room", profile, { ...common, link }],
    ["respond", profile, { ...common, ...secret, link, name: "Alice", available: [slots[1]] }],
    ["update_room", profile, { ...common, ...secret, link, title: "Team sync", slots }],
  );
}
for (const [op, profile, base] of clientCases) {
  ops.add(op);
  for (const k of Object.keys(base)) for (const v of bad) reqs.push({ id: id++, op, profile, input: { ...base, [k]: v } });
}
for (const op of [...ops, "no_such_operation"]) for (const profile of ["v1", "v2", "any", "v3", null]) reqs.push({ id: id++, op, profile, input: {} });
const lines = reqs.map((r) => JSON.stringify(r));
const junk = ["not json", "[1]", "null", '{"id":' + id + "}"];

const child = spawn(cmd, { shell: true, stdio: ["pipe", "pipe", "ignore"] });
const answers = [];
createInterface({ input: child.stdout }).on("line", (l) => answers.push(l));
const exited = new Promise((r) => child.on("exit", r));
child.stdin.end([...lines, ...junk].join("\n") + "\n");
const status = await exited;

let violations = 0;
const violation = (m) => {
  if (violations++ < 20) console.log("  " + m);
};
if (answers.length !== lines.length + junk.length) violation(`${lines.length + junk.length} requests, ${answers.length} answers`);
for (let k = 0; k < Math.min(answers.length, reqs.length); k++) {
  let a;
  try {
    a = JSON.parse(answers[k]);
  } catch {
    violation(`answer ${k + 1} is not JSON`);
    continue;
  }
  const kinds = ["ok", "error", "unsupported"].filter((x) => x in a);
  if (a.id !== reqs[k].id || kinds.length !== 1) violation(`request ${reqs[k].id}: answer ${answers[k].slice(0, 160)}`);
  else if (a.error && !CODES.has(a.error.code) && a.error.code !== "bad-request") violation(`request ${reqs[k].id}: code ${a.error.code} is not in spec §15`);
  else if (typeof a.unsupported === "string" && a.unsupported.startsWith("internal failure")) violation(`request ${reqs[k].id} (${reqs[k].op}): ${a.unsupported.slice(0, 160)}`);
}
if (status !== 0) violation(`adapter exited with ${status}`);
console.log(`robustness: ${reqs.length + junk.length} malformed requests, ${violations} violation(s)`);

// Relays that never answer (OS-RES-7, OS-EVENT-12): a listener on 127.0.0.1
// that accepts connections and never completes the WebSocket handshake, and
// a port on which nothing listens. Every client operation must end with its
// code within its timeout (one round: the first round already fails) plus a
// margin, must have tried the silent relay, and the adapter must still exit
// when standard input closes. Skipped when the adapter lists no client
// operation.
const silentChecks = await silentRelays();
console.log(`robustness: ${silentChecks} client operations against relays that never answer, ${violations} violation(s) in all`);
process.exitCode = violations ? 1 : 0;

async function silentRelays() {
  let accepted = 0;
  const sockets = new Set();
  const silent = createServer((sock) => {
    accepted++;
    sockets.add(sock);
    sock.on("error", () => {});
    sock.on("close", () => sockets.delete(sock));
  });
  await new Promise((r) => silent.listen(0, "127.0.0.1", r));
  const closed = createServer();
  await new Promise((r) => closed.listen(0, "127.0.0.1", r));
  const refusedPort = closed.address().port;
  await new Promise((r) => closed.close(r));
  const timeoutMs = 300;
  const relays = [`ws://127.0.0.1:${silent.address().port}`, `ws://127.0.0.1:${refusedPort}`];
  const proc = spawn(cmd, { shell: true, stdio: ["pipe", "pipe", "ignore"] });
  const pending = [];
  createInterface({ input: proc.stdout }).on("line", (l) => pending.shift()?.(l));
  const done = new Promise((r) => proc.on("exit", r));
  const ask = (req) =>
    new Promise((r) => {
      pending.push((line) => r(line));
      proc.stdin.write(JSON.stringify(req) + "\n");
    });
  let n = 0;
  const hello = JSON.parse(await ask({ id: 0, op: "hello", protocol: 1 }));
  if (hello?.ok?.operations?.includes("join_room")) {
    let rid = 1;
    for (const [op, profile, base] of clientCases) {
      const want = op === "create_room" ? "publish-failed" : "relay-unavailable";
      const before = accepted;
      const t0 = performance.now();
      const line = await ask({ id: rid++, op, profile, input: { ...base, relays, timeout_ms: timeoutMs } });
      const ms = performance.now() - t0;
      n++;
      const a = JSON.parse(line);
      if (a.error?.code !== want) violation(`${op} ${profile} against silent relays: ${line.slice(0, 200)}, expected the error ${want}`);
      if (ms > timeoutMs + 1000) violation(`${op} ${profile} against silent relays took ${Math.round(ms)} ms with timeout_ms ${timeoutMs}`);
      if (accepted === before) violation(`${op} ${profile} never connected to the relay it was given`);
    }
  }
  proc.stdin.end();
  const exitCode = await done;
  if (exitCode !== 0) violation(`adapter exited with ${exitCode} after the silent-relay requests`);
  for (const sock of sockets) sock.destroy();
  await new Promise((r) => silent.close(r));
  return n;
}
