#!/usr/bin/env node
// Runs every case of ../../../vectors/*.json through the adapter, as the
// harness does (spec/adapter-protocol.md): start it, say hello, send each
// case's input with its group's operation and profile, and judge by §5
// (OS-ADAPTER-9). Prints, per suite, passed/failed/skipped and every failure
// with its tcId, requirement IDs, what was expected and what came back.
//
// usage: node selfcheck.mjs [--profile v1|v2] [--adapter "<command>"]
//                           [--nip44 <nip44.vectors.json>] [suite ...]
// `--profile v1` runs the v1 groups and the `any` groups. `--nip44` also runs
// the official NIP-44 vectors (spec §7.5: checksum first, K_enc taken as the
// conversation key, error codes by the table of §7.5) through the adapter's
// `encrypt` and `decrypt`. Exit status 1 when a case fails.

import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { createHash } from "node:crypto";
import { parseJson, JsonNumber } from "./src/json.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const vectorsDir = join(here, "..", "..", "..", "vectors");

const args = process.argv.slice(2);
let profile = null;
let nip44Path = null;
let adapterCmd = `node ${JSON.stringify(join(here, "adapter.mjs"))}`;
const suites = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--profile") profile = args[++i];
  else if (args[i] === "--adapter") adapterCmd = args[++i];
  else if (args[i] === "--nip44") nip44Path = args[++i];
  else suites.push(args[i]);
}

const started = process.hrtime.bigint();
const child = spawn(adapterCmd, { shell: true, stdio: ["pipe", "pipe", "inherit"] });
const lines = createInterface({ input: child.stdout });
const waiting = [];
lines.on("line", (l) => waiting.shift()?.(l));
child.on("exit", (code) => {
  for (const w of waiting.splice(0)) w(null);
  if (code !== 0 && code !== null) process.stderr.write(`adapter exited with ${code}\n`);
});

let nextId = 0;
function request(msg) {
  return new Promise((resolve) => {
    waiting.push((line) => resolve(line));
    child.stdin.write(toJson({ id: msg.id, ...msg }) + "\n");
  });
}

const hello = JSON.parse(await request({ id: nextId++, op: "hello", protocol: 1 }));
if (hello?.ok?.protocol !== 1) {
  console.error("handshake failed:", JSON.stringify(hello));
  process.exit(2);
}
console.log(`adapter ${hello.ok.name} ${hello.ok.version}, profiles ${hello.ok.profiles.join(",")}, ${hello.ok.operations.length} operations`);

const files = readdirSync(vectorsDir).filter((f) => f.endsWith(".json")).sort();
let totalFailed = 0;
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const f of files) {
  // Parsed keeping every number's text, so inputs go out and expectations are
  // compared exactly as written (18446744073709551615 is not a double).
  const doc = toPlainKeepNumbers(parseJson(readFileSync(join(vectorsDir, f), "utf8")).value);
  if (suites.length && !suites.includes(doc.suite)) continue;
  const count = { passed: 0, failed: 0, skipped: 0 };
  const failures = [];
  const notes = [];
  for (const g of doc.testGroups) {
    if (profile && g.profile !== profile && g.profile !== "any") continue;
    // OS-ADAPTER-8: only what the adapter names in its hello is sent.
    const offered = hello.ok.operations.includes(g.operation) && (g.profile === "any" || hello.ok.profiles.includes(g.profile));
    if (!offered) {
      count.skipped += g.tests.length;
      continue;
    }
    for (const t of g.tests) {
      const id = nextId++;
      const line = await request({ id, op: g.operation, profile: g.profile, input: t.input });
      let resp;
      try {
        resp = toPlainKeepNumbers(parseJson(line).value);
      } catch {
        resp = { invalidLine: line };
      }
      const verdict = judge(t, resp, id);
      count[verdict]++;
      // Resolution cases also carry the rejections and the losing versions in
      // `intermediate`; an implementation "should" report the same (vectors/
      // README.md). A difference is a note, not a failure.
      if (verdict === "passed" && g.operation === "resolve" && resp.ok && t.intermediate) {
        for (const k of ["rejected", "superseded"]) {
          if (k in resp.ok && !jsonEqual(resp.ok[k], t.intermediate[k])) {
            notes.push(`  NOTE ${doc.suite} tcId ${t.tcId} ${t.comment}: intermediate.${k} is ${toJson(t.intermediate[k])}, the adapter reports ${toJson(resp.ok[k])}`);
          }
        }
      }
      if (verdict === "failed") failures.push({ t, g, resp });
    }
  }
  for (const k of Object.keys(totals)) totals[k] += count[k];
  totalFailed += count.failed;
  console.log(`${doc.suite.padEnd(11)} passed ${count.passed}, failed ${count.failed}, skipped ${count.skipped}`);
  for (const n of notes) console.log(n);
  for (const { t, g, resp } of failures) {
    const want = t.result === "invalid" ? { error: t.error } : t.result === "acceptable" ? { ok: t.expected, orError: t.error } : { ok: t.expected };
    console.log(`  FAIL ${doc.suite} tcId ${t.tcId} (${g.profile} ${g.operation}) [${t.requirements.join(", ")}] ${t.comment}`);
    console.log(`    expected: ${clip(toJson(want))}`);
    console.log(`    got:      ${clip(toJson(resp))}`);
  }
}
if (nip44Path) {
  const count = await officialNip44(nip44Path);
  for (const k of Object.keys(totals)) totals[k] += count[k];
  totalFailed += count.failed;
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
console.log(`total       passed ${totals.passed}, failed ${totals.failed}, skipped ${totals.skipped} in ${(ms / 1000).toFixed(2)} s`);
child.stdin.end();
process.exitCode = totalFailed ? 1 : 0;

/** OS-ADAPTER-9. */
function judge(t, resp, id) {
  if (!resp || !jsonEqual(resp.id, id)) return "failed";
  if ("unsupported" in resp) return "skipped";
  const okMatches = () => "ok" in resp && Object.keys(t.expected ?? {}).every((k) => jsonEqual(resp.ok?.[k], t.expected[k]));
  const errMatches = () => "error" in resp && resp.error?.code === t.error;
  if (t.result === "valid") return okMatches() ? "passed" : "failed";
  if (t.result === "invalid") return errMatches() ? "passed" : "failed";
  if (t.result === "acceptable") return okMatches() || errMatches() ? "passed" : "failed";
  return "failed";
}

function clip(s) {
  return s.length > 600 ? s.slice(0, 600) + `… (${s.length} characters)` : s;
}

/** The official NIP-44 vectors through `encrypt` and `decrypt` (spec §7.5). */
async function officialNip44(path) {
  const PINNED = "269ed0f69e4c192512cc779e78c555090cebc7c785b609e338a62afc3ce25040";
  const text = readFileSync(path);
  const sum = createHash("sha256").update(text).digest("hex");
  if (sum !== PINNED) {
    console.log(`nip44-official: ${path} has SHA-256 ${sum}, not the pinned ${PINNED}; not run`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  const v = JSON.parse(text).v2;
  const count = { passed: 0, failed: 0, skipped: 0 };
  const sha = (s) => createHash("sha256").update(s, "utf8").digest("hex");
  const check = async (label, op, input, want) => {
    const id = nextId++;
    const resp = JSON.parse(await request({ id, op, profile: "any", input }));
    let verdict;
    if ("unsupported" in resp) verdict = "skipped";
    else if (want.error) verdict = resp.error?.code === want.error ? "passed" : "failed";
    else verdict = "ok" in resp && want.test(resp.ok) ? "passed" : "failed";
    count[verdict]++;
    if (verdict === "failed") console.log(`  FAIL nip44-official ${label}: expected ${want.error ?? "success"}, got ${clip(JSON.stringify(resp))}`);
  };
  for (const [i, c] of v.valid.encrypt_decrypt.entries()) {
    await check(`encrypt_decrypt #${i}`, "encrypt", { conversationKey: c.conversation_key, nonce: c.nonce, plaintext: c.plaintext }, { test: (o) => o.payload === c.payload });
    await check(`encrypt_decrypt #${i} (decrypt)`, "decrypt", { conversationKey: c.conversation_key, payload: c.payload }, { test: (o) => o.plaintext === c.plaintext });
  }
  for (const [i, c] of v.valid.encrypt_decrypt_long_msg.entries()) {
    const plaintext = c.pattern.repeat(c.repeat);
    await check(`encrypt_decrypt_long_msg #${i}`, "encrypt", { conversationKey: c.conversation_key, nonce: c.nonce, plaintext }, { test: (o) => sha(o.payload) === c.payload_sha256 });
  }
  for (const len of v.invalid.encrypt_msg_lengths) {
    await check(`encrypt_msg_lengths ${len}`, "encrypt", { conversationKey: "11".repeat(32), nonce: "22".repeat(32), plaintext: "a".repeat(len) }, { error: "cipher-plaintext-length" });
  }
  const code = (note, payload) => {
    if (payload === "") return "cipher-version"; // §7.5: step 1 comes first
    if (/^unknown encryption version/.test(note)) return "cipher-version";
    if (/^invalid base64/.test(note)) return "cipher-base64";
    if (/^invalid MAC/.test(note)) return "cipher-mac";
    if (/^invalid padding/.test(note)) return "cipher-padding";
    if (/^invalid payload length/.test(note)) return "cipher-length";
    return null;
  };
  for (const [i, c] of v.invalid.decrypt.entries()) {
    await check(`invalid.decrypt #${i} (${c.note})`, "decrypt", { conversationKey: c.conversation_key, payload: c.payload }, { error: code(c.note, c.payload) });
  }
  console.log(`${"nip44".padEnd(11)} passed ${count.passed}, failed ${count.failed}, skipped ${count.skipped} (official NIP-44 vectors)`);
  return count;
}

/** Plain objects and arrays; numbers stay JsonNumber (their text kept). */
function toPlainKeepNumbers(v) {
  if (Array.isArray(v)) return v.map(toPlainKeepNumbers);
  if (v !== null && typeof v === "object" && !(v instanceof JsonNumber)) {
    const o = {};
    for (const k of Object.keys(v)) Object.defineProperty(o, k, { value: toPlainKeepNumbers(v[k]), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return v;
}

/** JSON text; a JsonNumber is written as its own text. */
function toJson(v) {
  if (v instanceof JsonNumber) return v.raw;
  if (Array.isArray(v)) return `[${v.map(toJson).join(",")}]`;
  if (v !== null && typeof v === "object") return `{${Object.keys(v).filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${toJson(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

/**
 * JSON equality (OS-ADAPTER-9): arrays in order, objects member by member,
 * numbers by exact value: integers (no fraction, no exponent) as integers,
 * other numbers as doubles, and an integer never equals a non-integer token.
 */
function jsonEqual(a, b) {
  const num = (x) => (x instanceof JsonNumber ? x : typeof x === "number" ? new JsonNumber(String(x)) : null);
  const na = num(a);
  const nb = num(b);
  if (na || nb) {
    if (!na || !nb) return false;
    const ia = !/[.eE]/.test(na.raw);
    const ib = !/[.eE]/.test(nb.raw);
    if (ia !== ib) return false;
    return ia ? BigInt(na.raw) === BigInt(nb.raw) : na.value === nb.value;
  }
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return a === b;
}
