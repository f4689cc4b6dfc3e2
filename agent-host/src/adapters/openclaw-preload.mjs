// Imported into the openclaw CLI (NODE_OPTIONS=--import=<this file>) by the agent host's openclaw
// adapter. It listens on openclaw's in-process agent event bus and appends every event to the file named
// by AGENT_RELAY_EVENTS_FILE as one line `{"event":"agent", ...event}`: the lines the relay expects.
//
// The bus is openclaw's internal state at globalThis[Symbol.for("openclaw.agentEvents.state")]:
// { listeners: Map<listener, { listener, id }>, nextListenerId, listenerRevision, ... } (older versions:
// listeners: Set<listener>). openclaw creates it on first use with
//   if (Object.hasOwn(globalThis, key)) return globalThis[key]; globalThis[key] = create();
// so it does not exist yet when this module runs. We catch that assignment with a setter on the global
// object's PROTOTYPE: `hasOwn` still says false (openclaw creates its own state as usual), and the
// assignment lands in our setter, which stores the value as the plain own property it would have been.
// A poll covers a bus created some other way. JavaScript: it runs inside openclaw's own Node (the
// running-text rule it imports is TypeScript, which Node strips from the repository's files; the
// published host bundles it in, scripts/build.ts). Every process started with the inherited
// NODE_OPTIONS loads this; those without the bus do nothing.
//
// Each event is written without openclaw's running text (protocol/running-text.ts): with it the file
// grew with the square of an answer's length (16.5 MB for an 18 KB answer), written by openclaw's own
// thread and read back by the host.
import { openSync, writeSync } from "node:fs";
import { withoutRunningText } from "../../../protocol/running-text.ts";

const STATE_KEY = Symbol.for("openclaw.agentEvents.state");
const POLL_MS = 20;
const file = process.env.AGENT_RELAY_EVENTS_FILE;

if (file) watchForBus(file);

function watchForBus(path) {
  let attached = false;
  const attachOnce = (state) => {
    if (attached || state === undefined || state === null) return;
    attached = true;
    clearInterval(poll);
    try {
      attach(state, path);
    } catch {
      // e.g. the events file is gone: the turn goes on without us
    }
  };
  const poll = setInterval(() => attachOnce(Object.hasOwn(globalThis, STATE_KEY) ? globalThis[STATE_KEY] : undefined), POLL_MS);
  poll.unref();
  if (Object.hasOwn(globalThis, STATE_KEY)) {
    attachOnce(globalThis[STATE_KEY]);
    return;
  }
  const proto = Object.getPrototypeOf(globalThis);
  if (!proto) return; // the poll will do
  Object.defineProperty(proto, STATE_KEY, {
    configurable: true,
    enumerable: false,
    get: () => undefined,
    set(value) {
      delete proto[STATE_KEY];
      Object.defineProperty(this, STATE_KEY, { value, writable: true, enumerable: true, configurable: true });
      if (this === globalThis) attachOnce(value);
    },
  });
}

function attach(state, path) {
  const fd = openSync(path, "a");
  const write = (line) => writeSync(fd, `${line}\n`);
  if (!(state.listeners instanceof Map || state.listeners instanceof Set)) {
    write(JSON.stringify({
      event: "error",
      data: { message: "agent-host cannot read this openclaw version's events (its event bus has an unknown shape)" },
    }));
    return;
  }
  const listener = (event) => {
    // Never let the relay break the agent: a failure here costs one line, not the turn.
    try {
      let line;
      try {
        line = JSON.stringify({ event: "agent", ...withoutRunningText(event) });
      } catch {
        line = JSON.stringify({ event: "relay", stream: "skipped", data: { reason: "not-serializable" } });
      }
      write(line);
    } catch {
      // the file is gone (the host stopped following it): nothing left to tell
    }
  };
  // Register the way openclaw's own onAgentEvent does (ids order the listeners; the revision
  // invalidates iterators that are in the middle of an emit).
  if (state.listeners instanceof Set) {
    state.listeners.add(listener);
    return;
  }
  const id = typeof state.nextListenerId === "number" ? state.nextListenerId : 0;
  state.nextListenerId = id + 1;
  state.listeners.set(listener, { listener, id });
  if (typeof state.listenerRevision === "number") state.listenerRevision += 1;
}
