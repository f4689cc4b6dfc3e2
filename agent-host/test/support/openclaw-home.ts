// openclaw's home for the opt-in real-openclaw test and the gateway bench, all in one temporary
// directory: its config (the fake model server as the only provider, in "replace" mode so no real
// provider is known), its state, and a workspace (also the agent's cwd) with a file for the read tool
// and provider retries switched off (a failure then takes ~17 s, not ~77 s).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelScript } from "./fake-model-server.ts";

/** What notes.txt in the workspace says. */
export const OPENCLAW_NOTES = "The launch code is tangerine-42.\n";

/**
 * One turn: the `read` tool on notes.txt, then a one-line answer from its result (two model requests).
 * openclaw shows the text before a tool call either as assistant text or as an `item` preamble (which
 * the page does not show), from run to run: only the tool call and the final answer are checked.
 */
export const READ_NOTES_SCRIPT: ModelScript = {
  preamble: "Let me read the notes.",
  toolCall: { name: "read", arguments: { path: "notes.txt" } },
  answer: (toolResult: string) => `The notes say: ${toolResult.trim()}`,
};

export interface OpenclawHome {
  home: string;
  workspace: string;
  /** The environment that points openclaw at this home (HOME, its config path, its state directory). */
  env: Record<string, string>;
}

export function openclawHome(modelBaseUrl: string): OpenclawHome {
  const home = mkdtempSync(join(tmpdir(), "openclaw-live-home-"));
  const workspace = join(home, "workspace");
  mkdirSync(join(workspace, ".openclaw"), { recursive: true });
  writeFileSync(join(workspace, ".openclaw", "settings.json"), JSON.stringify({ retry: { provider: { maxRetries: 0 } } }));
  writeFileSync(join(workspace, "notes.txt"), OPENCLAW_NOTES);
  const model = { id: "fake-model", name: "Fake", reasoning: false, input: ["text"], cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, contextWindow: 128000, maxTokens: 4096 };
  const config = {
    models: { mode: "replace", providers: { fake: { baseUrl: modelBaseUrl, apiKey: "x", api: "openai-completions", models: [model] } } },
    agents: { defaults: { model: { primary: "fake/fake-model" }, workspace } },
    // Every command the agent runs on the gateway asks first (the `read` tool does not): the approval
    // test answers them through the relay. `ask: "always"` has no `tools.exec.mode` equivalent.
    tools: { exec: { host: "gateway", security: "full", ask: "always" } },
  };
  writeFileSync(join(home, "openclaw.json"), JSON.stringify(config, null, 2));
  return { home, workspace, env: { HOME: home, OPENCLAW_CONFIG_PATH: join(home, "openclaw.json"), OPENCLAW_STATE_DIR: join(home, "state") } };
}
