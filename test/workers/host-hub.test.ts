// The host hub: connected hosts, and what happens when two of them claim the same id.
import { describe, expect, it } from "vitest";
import { CLOSE_HOST_ID_TAKEN, HOST_PROTOCOL_VERSION, newSecret } from "../../protocol/host.ts";
import { api, connectHost, openControl } from "./support/relay-client.ts";

async function hostsConnected(): Promise<number> {
  return ((await (await api("/api/health", { token: null })).json()) as { hostsConnected: number }).hostsConnected;
}

describe("host hub", () => {
  it("refuses the hello of a host of an older protocol, naming both versions", async () => {
    const control = await openControl();
    control.send({ type: "hello", version: HOST_PROTOCOL_VERSION - 1, hostId: "hub-old", instanceKey: newSecret(), maxRuns: 1 });
    await expect.poll(() => control.closeCode).toBe(4400);
    expect(control.closeReason).toBe(`invalid frame: version: this edge speaks host protocol ${HOST_PROTOCOL_VERSION}, the host ${HOST_PROTOCOL_VERSION - 1}: update the agent host`);
  });

  it("counts hosts that said hello, and forgets one that closes", async () => {
    const before = await hostsConnected();
    const host = await connectHost("hub-a");
    expect(await hostsConnected()).toBe(before + 1);
    host.close();
    await expect.poll(hostsConnected).toBe(before);
  });

  it("closes the older connection with CLOSE_HOST_ID_TAKEN when the same host (same instance key) says hello again", async () => {
    const key = newSecret();
    const first = await connectHost("hub-same", 4, key);
    const second = await connectHost("hub-same", 4, key);
    await expect.poll(() => first.closeCode).toBe(CLOSE_HOST_ID_TAKEN);
    expect(second.closed).toBe(false);
    second.close();
  });
});
