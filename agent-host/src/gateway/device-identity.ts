// The host's device identity at openclaw gateways: an Ed25519 key pair (the device id is the SHA-256 of
// the raw public key, as openclaw derives it) and the device tokens gateways issue in hello-ok, kept in
// one file only this user can read. openclaw's clients.md: persist the identity, sign the challenge, let
// pairing mint the token; never edit openclaw's config for a client token.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { DeviceAuthTokenRecord, DeviceIdentity, GatewayClientHostDeps } from "@openclaw/gateway-client";

/**
 * Where the host keeps its own state (not openclaw's): `$AGENT_RELAY_STATE_DIR`, else
 * `$XDG_STATE_HOME/agent-relay`, else ~/.local/state/agent-relay, read from the agent's environment
 * (the host's plus --env), so a HOME given to openclaw with --env holds the host's pairing too.
 */
export function hostStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AGENT_RELAY_STATE_DIR) return env.AGENT_RELAY_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state"), "agent-relay");
}

interface StoredIdentity {
  version: 1;
  deviceId: string;
  publicKeyPem: string;
  privateKeyPem: string;
  /** `<gateway>|<role>` -> the token that gateway issued to this device. */
  tokens: Record<string, { token: string; scopes: string[] }>;
}

/** Raw 32-byte Ed25519 public key, base64url: the form openclaw's `device.publicKey` takes. */
export function rawPublicKeyBase64Url(publicKeyPem: string): string {
  const jwk = createPublicKey(publicKeyPem).export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new Error("not an Ed25519 public key");
  return jwk.x;
}

export function deviceIdFromPublicKey(publicKeyPem: string): string {
  return createHash("sha256").update(Buffer.from(rawPublicKeyBase64Url(publicKeyPem), "base64url")).digest("hex");
}

export function signPayload(privateKeyPem: string, payload: string): string {
  return sign(null, Buffer.from(payload, "utf8"), createPrivateKey(privateKeyPem)).toString("base64url");
}

/** The identity file, created on first use; tokens are written back as gateways issue them. */
export class DeviceIdentityStore {
  readonly path: string;
  readonly #stored: StoredIdentity;

  constructor(path: string) {
    this.path = path;
    this.#stored = DeviceIdentityStore.#load(path);
  }

  static #load(path: string): StoredIdentity {
    let text: string | undefined;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    if (text !== undefined) {
      const stored = JSON.parse(text) as StoredIdentity;
      if (stored.version !== 1 || deviceIdFromPublicKey(stored.publicKeyPem) !== stored.deviceId) {
        throw new Error(`${path} is not an agent-relay device identity; move it away to create a new one`);
      }
      return stored;
    }
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const stored: StoredIdentity = {
      version: 1,
      deviceId: deviceIdFromPublicKey(publicKeyPem),
      publicKeyPem,
      privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      tokens: {},
    };
    DeviceIdentityStore.#write(path, stored);
    return stored;
  }

  static #write(path: string, stored: StoredIdentity): void {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(stored, null, 2), { mode: 0o600 });
    renameSync(temporary, path);
  }

  get identity(): DeviceIdentity {
    const { deviceId, publicKeyPem, privateKeyPem } = this.#stored;
    return { deviceId, publicKeyPem, privateKeyPem };
  }

  /**
   * The reference client's host callbacks for signing and token storage. `gateway` names the gateway
   * the tokens are for: its URL, or one name for the gateway the host starts (on a new port each time).
   */
  hostDeps(gateway: string): GatewayClientHostDeps {
    const key = (role: string) => `${gateway}|${role}`;
    return {
      signDevicePayload: signPayload,
      publicKeyRawBase64UrlFromPem: rawPublicKeyBase64Url,
      loadDeviceAuthToken: ({ role }): DeviceAuthTokenRecord | null => this.#stored.tokens[key(role)] ?? null,
      storeDeviceAuthToken: ({ role, token, scopes }) => {
        const previous = this.#stored.tokens[key(role)];
        if (previous?.token === token && previous.scopes.join() === scopes.join()) return;
        this.#stored.tokens[key(role)] = { token, scopes };
        DeviceIdentityStore.#write(this.path, this.#stored);
      },
      clearDeviceAuthToken: ({ role }) => {
        if (!(key(role) in this.#stored.tokens)) return;
        delete this.#stored.tokens[key(role)];
        DeviceIdentityStore.#write(this.path, this.#stored);
      },
    };
  }
}
