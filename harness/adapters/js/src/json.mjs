// A strict RFC 8259 JSON reader that keeps what JSON.parse loses: the text
// of every number (so OS-PAYLOAD-4 can tell `1`, `1.0`, `1e0` and `-0`
// apart) and repeated member names (OS-PAYLOAD-1). Numbers beyond the range
// of an IEEE 754 double make the text invalid (spec §8.3).

/** A JSON number with its source text. */
export class JsonNumber {
  constructor(raw) {
    this.raw = raw;
    this.value = Number(raw);
  }
  toString() {
    return this.raw;
  }
  /** An integer in the sense of spec §8.3: no fraction or exponent, not -0, |v| <= 2^53-1. */
  isInteger() {
    return !/[.eE]/.test(this.raw) && this.raw !== "-0" && Number.isSafeInteger(this.value);
  }
}

/**
 * The result of parsing: the value, and whether any object repeated a member
 * name. With `scalarStrings` (payloads, OS-PAYLOAD-13) a string holding a lone
 * surrogate makes the text invalid; requests of the adapter protocol may
 * carry one and are read as ECMAScript reads them.
 */
export function parseJson(text, { scalarStrings = false } = {}) {
  const p = new Parser(text, scalarStrings);
  p.ws();
  const value = p.value(0);
  p.ws();
  if (p.i !== text.length) throw new SyntaxError(`trailing characters at ${p.i}`);
  return { value, duplicates: p.duplicates };
}

/** Converts a parsed value to plain JavaScript (numbers become Number). */
export function toPlain(v) {
  if (v instanceof JsonNumber) return v.value;
  if (Array.isArray(v)) return v.map(toPlain);
  if (v !== null && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v)) Object.defineProperty(o, k, { value: toPlain(v[k]), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return v;
}

const MAX_DEPTH = 512;

class Parser {
  constructor(text, scalarStrings) {
    this.t = text;
    this.i = 0;
    this.duplicates = false;
    this.scalarStrings = scalarStrings;
  }
  ws() {
    while (this.i < this.t.length) {
      const c = this.t[this.i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") this.i++;
      else break;
    }
  }
  value(depth) {
    if (depth > MAX_DEPTH) throw new SyntaxError("nesting too deep");
    const c = this.t[this.i];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
      if (this.t.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    throw new SyntaxError(`unexpected character at ${this.i}`);
  }
  object(depth) {
    this.i++;
    const o = Object.create(null);
    this.ws();
    if (this.t[this.i] === "}") {
      this.i++;
      return o;
    }
    for (;;) {
      this.ws();
      if (this.t[this.i] !== '"') throw new SyntaxError(`expected a member name at ${this.i}`);
      const k = this.string();
      this.ws();
      if (this.t[this.i] !== ":") throw new SyntaxError(`expected ':' at ${this.i}`);
      this.i++;
      this.ws();
      const v = this.value(depth + 1);
      if (Object.prototype.hasOwnProperty.call(o, k)) this.duplicates = true;
      o[k] = v; // the last value of a repeated name is kept, as JSON.parse does
      this.ws();
      const c = this.t[this.i++];
      if (c === "}") return o;
      if (c !== ",") throw new SyntaxError(`expected ',' or '}' at ${this.i - 1}`);
    }
  }
  array(depth) {
    this.i++;
    const a = [];
    this.ws();
    if (this.t[this.i] === "]") {
      this.i++;
      return a;
    }
    for (;;) {
      this.ws();
      a.push(this.value(depth + 1));
      this.ws();
      const c = this.t[this.i++];
      if (c === "]") return a;
      if (c !== ",") throw new SyntaxError(`expected ',' or ']' at ${this.i - 1}`);
    }
  }
  string() {
    this.i++;
    let s = "";
    for (;;) {
      if (this.i >= this.t.length) throw new SyntaxError("unterminated string");
      const c = this.t[this.i++];
      if (c === '"') {
        // OS-PAYLOAD-13: a lone surrogate (escaped) makes the text invalid
        if (this.scalarStrings && !s.isWellFormed()) throw new SyntaxError("a lone surrogate in a string");
        return s;
      }
      if (c.charCodeAt(0) < 0x20) throw new SyntaxError("control character in a string");
      if (c !== "\\") {
        s += c;
        continue;
      }
      const e = this.t[this.i++];
      const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (e in simple) s += simple[e];
      else if (e === "u") {
        const h = this.t.slice(this.i, this.i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(h)) throw new SyntaxError("bad \\u escape");
        s += String.fromCharCode(parseInt(h, 16));
        this.i += 4;
      } else throw new SyntaxError("bad escape");
    }
  }
  number() {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.t.slice(this.i, this.i + 1100));
    if (!m) throw new SyntaxError(`bad number at ${this.i}`);
    this.i += m[0].length;
    const n = new JsonNumber(m[0]);
    if (!Number.isFinite(n.value)) throw new SyntaxError("number beyond the range of a double");
    return n;
  }
}
