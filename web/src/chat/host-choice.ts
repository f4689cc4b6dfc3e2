// Which agent host a chat runs on, as the page shows and chooses it (pure: no storage, no React).
import type { HostSummary } from "../api/relay-api.ts";

/**
 * The host a new chat's first message goes to unless the person picks another: the only one connected,
 * else the one they used last (when it is connected); null lets the relay take the least busy.
 */
export function defaultHostFor(hosts: HostSummary[], lastUsed: string | null): string | null {
  if (hosts.length === 1) return hosts[0]!.id;
  return hosts.some((host) => host.id === lastUsed) ? lastUsed : null;
}

/** How a host is named in a picker: "laptop — openclaw, 1 of 4 runs in use". */
export function describeHost(host: HostSummary): string {
  const agent = host.agent === null ? "" : `${host.agent}, `;
  return `${host.id} — ${agent}${host.runsInUse} of ${host.maxRuns} runs in use`;
}

/** The chat's host is connected, away, or the chat has none yet (unknown until the host list loads). */
export function chatHostState(chatHost: string | null, hosts: HostSummary[] | undefined): "none" | "unknown" | "online" | "offline" {
  if (chatHost === null) return "none";
  if (hosts === undefined) return "unknown";
  return hosts.some((host) => host.id === chatHost) ? "online" : "offline";
}

/** What a person confirms before a move: the agent there has no memory of the chat. */
export function moveWarning(from: string, to: string): string {
  return `Move this chat from ${from} to ${to}? The agent on ${to} starts without its memory of this chat: it will know only the messages you send from now on.`;
}
