// A loopback TCP port nobody listens on right now: the host's own helper.
export { freeLoopbackPort as freePort } from "../../agent-host/src/loopback-port.ts";
