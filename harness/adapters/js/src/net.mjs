// Relays (spec §11.5, §14.1, §18): a NIP-01 client over the WebSocket of the
// platform (`globalThis.WebSocket`: Node 22 and later, or Node 20 with
// `--experimental-websocket`). Two exchanges, each bounded by one deadline
// that covers the connection too:
//
// - query: REQ per filter, read each subscription until EOSE, CLOSED, the
//   connection's end or the deadline (OS-RES-6, OS-RES-7);
// - publish: EVENT, then wait for the OK that names the event's id, until
//   the connection's end or the deadline (OS-EVENT-12).
//
// Every relay is asked at the same time. A frame that is not JSON, not an
// array, binary, of an unknown verb or for another subscription is ignored
// and the relay is read on (spec Appendix C-29 leaves this open; ignoring is
// the reading that lets one relay's noise not decide the outcome). Nothing
// here waits longer than the deadline, and every socket is closed when its
// exchange ends. Subscription ids are counters, never derived from a link
// (OS-LINK-8).

/** True when the platform has a WebSocket client. */
export function hasWebSocket() {
  return typeof globalThis.WebSocket === "function";
}

/** True for a `ws://` or `wss://` URL the WebSocket client can be given. */
function isRelayUrl(url) {
  if (typeof url !== "string") return false;
  try {
    const u = new URL(url);
    return u.protocol === "ws:" || u.protocol === "wss:";
  } catch {
    return false;
  }
}

/**
 * One connection to one relay for one exchange. `onMessage(array)` gets each
 * frame that is a JSON array whose first element is a string; `onEnd()` runs
 * once when the connection closes or fails. `opened` resolves to true when
 * the connection is open and to false when it failed first.
 */
class Connection {
  constructor(url, onMessage, onEnd) {
    this.ended = false;
    this.onEnd = onEnd;
    let settle;
    this.opened = new Promise((r) => {
      settle = r;
    });
    if (!isRelayUrl(url)) {
      this.ws = null;
      this.end();
      settle(false);
      return;
    }
    try {
      this.ws = new globalThis.WebSocket(url);
    } catch {
      this.ws = null;
      this.end();
      settle(false);
      return;
    }
    this.ws.binaryType = "arraybuffer";
    this.ws.addEventListener("open", () => settle(true));
    this.ws.addEventListener("error", () => {
      settle(false);
      this.end();
    });
    this.ws.addEventListener("close", () => {
      settle(false);
      this.end();
    });
    this.ws.addEventListener("message", (ev) => {
      if (this.ended || typeof ev.data !== "string") return; // binary frames are not NIP-01
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return; // not JSON
      }
      if (!Array.isArray(msg) || typeof msg[0] !== "string") return;
      try {
        onMessage(msg);
      } catch {
        // a frame the handler cannot use is ignored like any other
      }
    });
  }

  /** Sends a frame; false when the connection is not open. */
  send(frame) {
    if (this.ended || !this.ws || this.ws.readyState !== 1) return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  end() {
    if (this.ended) return;
    this.ended = true;
    this.onEnd?.();
  }

  /** Closes the socket (also while it is still connecting). */
  close() {
    this.ended = true;
    try {
      this.ws?.close();
    } catch {
      // already closing
    }
  }
}

/** A promise that resolves after `ms` and a way to cancel its timer. */
function deadline(ms) {
  let timer;
  const done = new Promise((r) => {
    timer = setTimeout(r, ms);
  });
  return { done, cancel: () => clearTimeout(timer) };
}

/**
 * Queries one relay with one REQ per filter. Returns {relay, events,
 * statuses, answered}: `statuses` has one entry per subscription (`eose`,
 * `closed`, `dropped`, `timeout` or `unreachable`), `answered` is true when
 * the relay sent an event or an EOSE for one of them (OS-RES-7).
 */
async function queryOne(url, filters, timeoutMs) {
  const subs = filters.map((f, i) => ({ id: `q${i}`, filter: f, status: null }));
  const events = [];
  let answered = false;
  let finish;
  const finished = new Promise((r) => {
    finish = r;
  });
  const checkDone = () => {
    if (subs.every((s) => s.status !== null)) finish();
  };
  const conn = new Connection(
    url,
    (msg) => {
      const sub = subs.find((s) => s.id === msg[1]);
      if (!sub || sub.status !== null) return;
      if (msg[0] === "EVENT" && msg.length >= 3) {
        events.push(msg[2]);
        answered = true;
      } else if (msg[0] === "EOSE") {
        sub.status = "eose";
        answered = true;
        conn.send(["CLOSE", sub.id]);
        checkDone();
      } else if (msg[0] === "CLOSED") {
        sub.status = "closed";
        checkDone();
      }
    },
    () => {
      for (const s of subs) if (s.status === null) s.status = "dropped";
      finish();
    },
  );
  const limit = deadline(timeoutMs);
  const opened = await Promise.race([conn.opened, limit.done.then(() => null)]);
  if (opened === true) {
    for (const s of subs) conn.send(["REQ", s.id, s.filter]);
    await Promise.race([finished, limit.done]);
    for (const s of subs) if (s.status === null) s.status = "timeout";
  } else {
    const status = opened === null ? "timeout" : "unreachable";
    for (const s of subs) s.status = status;
  }
  limit.cancel();
  conn.close();
  return { relay: url, events, statuses: subs.map((s) => ({ relay: url, status: s.status })), answered };
}

/**
 * Asks every relay at once (OS-RES-1, OS-RES-6) and returns the union of
 * the events, how each subscription ended, and whether any relay answered.
 */
export async function query(urls, filters, timeoutMs) {
  const results = await Promise.all(urls.map((u) => queryOne(u, filters, timeoutMs)));
  return {
    events: results.flatMap((r) => r.events),
    statuses: results.flatMap((r) => r.statuses),
    answered: results.some((r) => r.answered),
  };
}

/**
 * Publishes to one relay (§11.5, OS-EVENT-15): accepted only on `OK` `true`
 * for the id sent; `OK` with anything else for that id is a rejection with
 * the relay's message; a connection that ends before that `OK` is a
 * rejection; no answer by the deadline is a timeout; no connection opened
 * by the deadline is unreachable. A NOTICE, an `OK` for another or an empty
 * id, and any other frame are not answers and are ignored (OS-RES-8).
 */
async function publishOne(url, event, timeoutMs) {
  let result = null;
  let finish;
  const finished = new Promise((r) => {
    finish = r;
  });
  const conn = new Connection(
    url,
    (msg) => {
      if (result) return;
      if (msg[0] === "OK" && msg[1] === event.id) {
        const message = typeof msg[3] === "string" ? msg[3] : null;
        result = msg[2] === true ? { outcome: "accepted", message } : { outcome: "rejected", message };
        finish();
      }
    },
    () => {
      if (!result) result = { outcome: "rejected", message: null };
      finish();
    },
  );
  const limit = deadline(timeoutMs);
  const opened = await Promise.race([conn.opened, limit.done.then(() => null)]);
  if (opened === true && conn.send(["EVENT", event])) {
    await Promise.race([finished, limit.done]);
    if (!result) result = { outcome: "timeout", message: null };
  } else if (opened === true) {
    result = result ?? { outcome: "rejected", message: null };
  } else {
    result = { outcome: "unreachable", message: null };
  }
  limit.cancel();
  conn.close();
  return { relay: url, outcome: result.outcome, message: result.message };
}

/** Publishes to every relay at once; one entry per relay, in the order given. */
export async function publish(urls, event, timeoutMs) {
  return Promise.all(urls.map((u) => publishOne(u, event, timeoutMs)));
}
