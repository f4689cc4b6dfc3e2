// Where the gateway adapter's gateway comes from: `--gateway-url`, else a gateway the person runs
// (found from openclaw's settings, see gateway/discovery.ts), else one the host starts and supervises.
// `ready` settles when the gateway has said hello-ok: the host says hello to the relay only then, so
// no message lands on a gateway that is still starting.
import { join } from "node:path";
import type { HostConfig } from "../config.ts";
import { DeviceIdentityStore, hostStateDir } from "../gateway/device-identity.ts";
import { answersChallenge, configuredGateway, type GatewayTarget } from "../gateway/discovery.ts";
import { GatewayLink, OPERATOR_SCOPES } from "../gateway/gateway-link.ts";
import { ManagedGateway, newGatewayToken } from "../gateway/gateway-process.ts";
import { freeLoopbackPort } from "../loopback-port.ts";
import type { Log } from "../log.ts";
import { agentEnvironment, type AgentAdapter } from "./adapter.ts";
import { openclawGatewayAdapter } from "./openclaw-gateway.ts";

export interface AgentBackend {
  adapter: AgentAdapter;
  /** Resolves when runs can start; rejects when they never can (the host should exit). */
  ready: Promise<void>;
  /** After the host's runs are over: let go of what the backend holds (a gateway process). */
  stop(): Promise<void>;
  /** The host process is exiting now: kill what must not outlive it. */
  killNow(): void;
}

export type GatewayBackendConfig = Pick<HostConfig, "gatewayUrl" | "gatewayToken" | "openclawCommand" | "command" | "cwd" | "env">;

/** The identity file's name under the host's state directory. */
const IDENTITY_FILE = "openclaw-device.json";
/** The gateway the host starts stores its device token under this name (its port changes per start). */
const MANAGED_GATEWAY_KEY = "agent-host-managed-gateway";

export function openclawGatewayBackend(config: GatewayBackendConfig, log: Log): AgentBackend {
  const env = agentEnvironment(config);
  const identity = new DeviceIdentityStore(join(hostStateDir(env), IDENTITY_FILE));
  let link: GatewayLink | undefined;
  let managed: ManagedGateway | undefined;
  let stopped = false;

  const linkTo = (target: GatewayTarget) => {
    log(`openclaw gateway: using the gateway at ${target.url} (from ${target.source})`);
    link = new GatewayLink({ ...target, identity, log });
    link.start();
    return link;
  };

  const ready = (async () => {
    const explicit = config.gatewayUrl
      ? { url: config.gatewayUrl, token: config.gatewayToken ?? env.OPENCLAW_GATEWAY_TOKEN, source: "--gateway-url" }
      : undefined;
    if (explicit) return linkTo(explicit).whenReady();
    const configured = configuredGateway(env);
    if (configured && (await answersChallenge(configured.url))) return linkTo(configured).whenReady();
    if (configured) log(`openclaw gateway: none answers at ${configured.url} (from ${configured.source}); starting one`);
    if (stopped) return;

    const port = await freeLoopbackPort();
    const token = newGatewayToken();
    const url = `ws://127.0.0.1:${port}`;
    const own = new GatewayLink({
      url,
      gatewayKey: MANAGED_GATEWAY_KEY,
      token,
      identity,
      log,
      // operator.admin for set-heartbeats: a gateway the host starts runs no turn nobody asked for.
      scopes: [...OPERATOR_SCOPES, "operator.admin"],
      onConnected: async (request) => {
        await request("set-heartbeats", { enabled: false });
      },
    });
    link = own;
    let dialed = false;
    managed = new ManagedGateway({
      command: config.openclawCommand,
      port,
      token,
      env,
      cwd: config.cwd,
      log,
      onUp: () => {
        if (dialed) own.redial();
        else own.start();
        dialed = true;
      },
    });
    managed.start();
    await own.whenReady();
  })();

  return {
    adapter: (request, onLines) => {
      if (!link) throw new Error("the openclaw gateway is not set up yet");
      return openclawGatewayAdapter(link, log)(request, onLines);
    },
    ready,
    async stop() {
      stopped = true;
      link?.stop();
      await managed?.stop();
    },
    killNow() {
      managed?.killNow();
    },
  };
}
