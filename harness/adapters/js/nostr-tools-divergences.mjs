#!/usr/bin/env node
// Runs nostr-tools' own functions, unwrapped, on the vector cases they can
// answer, and lists every case where the library alone disagrees with the
// spec. The adapter wraps exactly these places (README, "Divergences"); this
// script is the evidence, rerun whenever nostr-tools is upgraded.
//
//   nip44 v2 decrypt/encrypt  on encryption.json (any error counts as a
//                             rejection: the library has no error codes)
//   nip40 getExpiration       on expiry.json (value only; no `now` input)
//   validateEvent/verifyEvent on events.json parse_event

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { v2 as nip44 } from "nostr-tools/nip44";
// nip40 ships in the package but is not in its "exports" map, hence the file path.
import { getExpiration } from "./node_modules/nostr-tools/lib/esm/nip40.js";
import { validateEvent } from "nostr-tools/pure";

const here = dirname(fileURLToPath(import.meta.url));
const load = (s) => JSON.parse(readFileSync(join(here, "..", "..", "..", "vectors", `${s}.json`), "utf8"));
const hex = (h) => Uint8Array.from(Buffer.from(h, "hex"));
const cases = (doc, op) => doc.testGroups.filter((g) => g.operation === op).flatMap((g) => g.tests);
let n = 0;
const report = (suite, t, what) => {
  n++;
  console.log(`${suite} tcId ${t.tcId} [${t.requirements.join(", ")}] ${t.comment}: ${what}`);
};

const enc = load("encryption");
for (const t of cases(enc, "decrypt")) {
  let got;
  try {
    got = { plaintext: nip44.decrypt(t.input.payload, hex(t.input.conversationKey)) };
  } catch (e) {
    got = { error: e.message };
  }
  if (t.result === "valid" && got.plaintext !== t.expected.plaintext) report("encryption", t, `expected the plaintext, nostr-tools: ${JSON.stringify(got).slice(0, 120)}`);
  if (t.result === "invalid" && !got.error) report("encryption", t, `expected ${t.error}, nostr-tools decrypts it to ${JSON.stringify(got.plaintext.slice(0, 40))}`);
  if (t.result === "invalid" && got.error) {
    const code = t.error;
    const hint = { "cipher-version": /version/, "cipher-length": /length/, "cipher-base64": /base64/, "cipher-mac": /MAC/, "cipher-padding": /padding/ }[code];
    if (hint && !hint.test(got.error)) report("encryption", t, `expected ${code}, nostr-tools rejects with "${got.error.slice(0, 80)}"`);
  }
}
for (const t of cases(enc, "encrypt")) {
  let got;
  try {
    got = { payload: nip44.encrypt(t.input.plaintext, hex(t.input.conversationKey), hex(t.input.nonce)) };
  } catch (e) {
    got = { error: e.message };
  }
  if (t.result === "valid" && got.payload !== t.expected.payload) report("encryption", t, `payload differs: ${JSON.stringify(got).slice(0, 120)}`);
  if (t.result === "invalid" && !got.error) report("encryption", t, `expected ${t.error}, nostr-tools encrypts it (payload of ${got.payload.length} characters)`);
}

for (const t of cases(load("expiry"), "get_expiration")) {
  const d = getExpiration({ tags: t.input.tags });
  const got = d === undefined ? null : d.getTime() / 1000;
  const want = t.expected.expiration;
  if (!(got === want || (Number.isNaN(got) && want === null))) report("expiry", t, `expected ${want}, nostr-tools nip40 reads ${got}`);
  else if (Number.isNaN(got)) report("expiry", t, `expected null, nostr-tools nip40 returns an Invalid Date (a truthy value)`);
}

for (const t of cases(load("events"), "parse_event")) {
  let ok;
  try {
    ok = validateEvent(JSON.parse(t.input.eventJson));
  } catch {
    ok = false;
  }
  if (t.result === "invalid" && ok) report("events", t, `expected ${t.error}, nostr-tools validateEvent accepts it`);
  if (t.result === "valid" && !ok) report("events", t, "nostr-tools validateEvent refuses a valid event");
}
console.log(`${n} case(s) where nostr-tools alone differs from the spec`);
