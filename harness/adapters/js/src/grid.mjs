// The slot grid (spec §9): dates, a daily wall-time range and a zone to
// slot instants. Zone offsets come from Node's Intl (ICU's copy of the IANA
// database); fixed offsets `+HH:MM`/`-HH:MM` are handled here. Wall times are
// resolved with the "compatible" disambiguation of OS-GRID-3.

import { fail } from "./errors.mjs";

/** A value for a message; a BigInt (an integer read exactly) is written as digits. */
const quote = (x) => (typeof x === "bigint" ? String(x) : JSON.stringify(x));

const SLOT = 1800;
const DAY = 86400;

function parseZone(z) {
  if (typeof z !== "string") fail("grid-zone", "the zone is not a string");
  const m = /^([+-])([0-9]{2}):([0-9]{2})$/.exec(z);
  if (m) {
    const h = +m[2];
    const mi = +m[3];
    if (h > 23 || mi > 59) fail("grid-zone", `offset ${z} out of range (OS-GRID-2)`);
    const off = (m[1] === "-" ? -1 : 1) * (h * 3600 + mi * 60);
    return { fixed: true, offsetAt: () => off };
  }
  // Offsets in other spellings, and anything that is not a zone name, fail.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(z)) fail("grid-zone", `${quote(z)} is neither an IANA name nor +HH:MM (OS-GRID-2)`);
  let fmt;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: z, hourCycle: "h23", era: "short",
      year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
    });
  } catch {
    fail("grid-zone", `${quote(z)} is not a time zone of the IANA database (OS-GRID-2)`);
  }
  const cache = new Map();
  return {
    fixed: false,
    offsetAt(t) {
      let o = cache.get(t);
      if (o === undefined) {
        o = offsetFromParts(fmt, t);
        cache.set(t, o);
      }
      return o;
    },
  };
}

/** Seconds since the epoch of a proleptic Gregorian wall time read as UTC. */
function wallSeconds(y, mo, d, h = 0, mi = 0, s = 0) {
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d);
  dt.setUTCHours(h, mi, s, 0);
  return dt.getTime() / 1000;
}

/** The zone's UTC offset in seconds at instant t, from Intl's wall-clock fields. */
function offsetFromParts(fmt, t) {
  const p = {};
  for (const { type, value } of fmt.formatToParts(new Date(t * 1000))) p[type] = value;
  let year = +p.year;
  if (p.era === "BC" || p.era === "B") year = 1 - year;
  return wallSeconds(year, +p.month, +p.day, +p.hour, +p.minute, +p.second) - t;
}

function parseTime(s) {
  const m = typeof s === "string" && /^([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?$/.exec(s);
  if (!m || +m[1] > 23 || +m[2] > 59 || (m[3] !== undefined && +m[3] > 59)) fail("grid-time", `${quote(s)} is not HH:MM or HH:MM:SS (OS-GRID-2)`);
  return +m[1] * 3600 + +m[2] * 60 + (m[3] === undefined ? 0 : +m[3]);
}

function parseDate(s) {
  const m = typeof s === "string" && /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s);
  if (!m) fail("grid-date", `${quote(s)} is not YYYY-MM-DD (OS-GRID-2)`);
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (mo < 1 || mo > 12 || d < 1 || d > days[mo - 1]) fail("grid-date", `${s} does not exist (OS-GRID-2)`);
  return wallSeconds(y, mo, d);
}

/**
 * resolve(D, T, Z) of §9.3 with W = the wall time read as UTC: an instant is
 * W - o for an offset o in force at W - o. The offsets a day before and a day
 * after W are the candidates (o1 before, o2 after); several valid instants
 * (an overlap) give the earliest; none (a gap) gives W - o1.
 */
function resolve(zone, W) {
  if (zone.fixed) return W - zone.offsetAt(W);
  const o1 = zone.offsetAt(W - DAY);
  const o2 = zone.offsetAt(W + DAY);
  const valid = [W - o1, W - o2].filter((t) => zone.offsetAt(t) === W - t);
  if (valid.length > 0) return Math.min(...valid);
  return W - o1;
}

/** §9.3: the grid, or grid-* errors. */
export function generateGrid({ dates, start, end, zone }) {
  if (!Array.isArray(dates)) fail("grid-date", "dates is not a list");
  if (dates.length > 10000) fail("grid-date", `${dates.length} dates; at most 10,000 (OS-GRID-2)`);
  const Z = parseZone(zone);
  const S = parseTime(start);
  const E = parseTime(end);
  const days = dates.map(parseDate);
  const set = new Set();
  for (const D of days) {
    const from = resolve(Z, D + S);
    const to = resolve(Z, (E <= S ? D + DAY : D) + E);
    for (let t = from; t < to; t += SLOT) set.add(t);
  }
  if (set.size === 0) fail("grid-empty", "the grid has no slot (OS-GRID-7)");
  return [...set].sort((a, b) => a - b);
}
