// The openclaw CLI (npm `openclaw`). It prints no event lines on stdout: `agent --json` prints one result
// object when the turn ends, and the events live on an in-process bus. So the CLI is started with
// openclaw-preload.mjs imported into it (NODE_OPTIONS, inherited by the child process it re-spawns);
// that module appends every bus event as a JSON line (without openclaw's running text) to a file named
// in the environment, and this adapter follows the file as if it were the agent's stdout. The result
// object and the exit status are read at the end: a failure becomes a visible error line. See
// ../../README.md (openclaw).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ANSI_ESCAPE } from "../log.ts";
import { spawnAgent } from "../runner.ts";
import type { AgentExit } from "../run-outbox.ts";
import { agentEnvironment, type AdapterConfig, type AgentAdapter } from "./adapter.ts";
import { fillTemplate } from "./argv-template.ts";
import { tailFile } from "./file-tail.ts";

/** `--message={message}`: a message such as `--help` or `-rf` stays the option's value (argv-template.ts). */
export const DEFAULT_OPENCLAW_COMMAND: readonly string[] = [
  "openclaw", "agent", "--local", "--agent", "main", "--session-id={session}", "--message={message}", "--json",
];

/**
 * `openclaw agent --local` runs on one state directory that a single process owns at a time: a second
 * turn started meanwhile fails after ~10 s with "failed to acquire gateway state ownership". So by
 * default the host runs one openclaw turn at once and refuses a second chat's start at once, saying so.
 */
export const OPENCLAW_DEFAULT_MAX_RUNS = 1;

/** The environment variable that tells the preload module where to write events. */
export const EVENTS_FILE_ENV = "AGENT_RELAY_EVENTS_FILE";

export const PRELOAD_URL = new URL("./openclaw-preload.mjs", import.meta.url).href;

/** The result object is small; anything past this is not a result we can read. */
const MAX_RESULT_CHARS = 1024 * 1024;

/** A top-level error line, the kind the edge shows to the browser as an error. */
export function errorLine(message: string): string {
  return JSON.stringify({ event: "error", data: { message } });
}

/** NODE_OPTIONS that also load the preload module, keeping whatever the user had. */
export function nodeOptionsWithPreload(existing: string | undefined): string {
  // A file URL has no spaces or quotes, so it needs no quoting inside NODE_OPTIONS.
  return [existing?.trim(), `--import=${PRELOAD_URL}`].filter(Boolean).join(" ");
}

export function openclawAdapter(config: AdapterConfig): AgentAdapter {
  return (request, onLines) => {
    const dir = mkdtempSync(join(tmpdir(), "agent-relay-openclaw-"));
    const eventsFile = join(dir, "events.jsonl");
    writeFileSync(eventsFile, "", { flag: "wx" });
    const tail = tailFile(eventsFile, onLines);
    const result: string[] = [];
    let resultChars = 0;
    let aborted = false;

    const baseEnv = agentEnvironment(config);
    const agent = spawnAgent(
      {
        argv: fillTemplate(config.command, { message: request.message, session: request.agentSessionId }),
        cwd: config.cwd,
        env: { ...baseEnv, NODE_OPTIONS: nodeOptionsWithPreload(baseEnv.NODE_OPTIONS), [EVENTS_FILE_ENV]: eventsFile },
      },
      {
        onLines: (lines) => {
          for (const line of lines) {
            const text = line.toString("utf8");
            resultChars += text.length + 1;
            if (resultChars <= MAX_RESULT_CHARS) result.push(text);
          }
        },
      },
    );

    const exited = agent.exited.then(async (exit) => {
      // The events file is complete once the CLI and its children are gone: deliver the rest first.
      try {
        await tail.finish();
      } catch (error) {
        onLines([errorLine(`agent-host could not read openclaw's events: ${(error as Error).message}`)]);
      }
      const failure = openclawFailure(result.join("\n"), exit, aborted);
      if (failure) onLines([errorLine(failure)]);
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // a leftover temporary directory is no reason to lose the run's exit
      }
      return exit;
    });

    return {
      abort() {
        aborted = true;
        agent.abort();
      },
      killNow: () => agent.killNow(),
      pause: () => tail.pause(),
      resume: () => tail.resume(),
      exited,
    };
  };
}

/**
 * What went wrong, from the CLI's `--json` output and exit, or undefined when nothing did.
 * `{"ok":false,"error":{type,message},"issues"?:[{path,message}]}` says it best; otherwise a non-zero exit
 * or a signal that the user did not ask for (an abort) is named, with stderr's best line. A spawn failure
 * is not repeated: the exit frame carries it.
 */
export function openclawFailure(stdout: string, exit: AgentExit, aborted: boolean): string | undefined {
  if (exit.error) return undefined;
  const reported = failureObjectMessage(stdout);
  if (reported) return reported;
  if (aborted) return undefined;
  const stderrLine = stderrSummary(exit.stderrTail);
  const detail = stderrLine ? `: ${stderrLine}` : "";
  if (exit.code !== null && exit.code !== 0) return `openclaw exited with code ${exit.code}${detail}`;
  if (exit.signal) return `openclaw was stopped by ${exit.signal}${detail}`;
  return undefined;
}

/** The failure object's issues (e.g. why the config is invalid) are where the detail is; a few suffice. */
const MAX_ISSUES = 3;

function failureObjectMessage(stdout: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || (value as { ok?: unknown }).ok !== false) return undefined;
  const { error, issues } = value as { error?: { type?: unknown; message?: unknown }; issues?: unknown };
  const message = typeof error?.message === "string" && error.message ? error.message : "openclaw reported a failure";
  const typed = typeof error?.type === "string" && error.type ? `${message} (${error.type})` : message;
  const details = (Array.isArray(issues) ? issues : []).slice(0, MAX_ISSUES).flatMap((issue: { path?: unknown; message?: unknown }) =>
    typeof issue?.message === "string" ? [typeof issue.path === "string" ? `${issue.path}: ${issue.message}` : issue.message] : [],
  );
  return details.length > 0 ? `${typed}: ${details.join("; ")}` : typed;
}

/** How openclaw's launcher states why it cannot run (wrong Node, broken install), before any advice lines. */
const LAUNCHER_PREFIX = "openclaw: ";

/**
 * The stderr line that explains a failed exit: the launcher's own `openclaw: ...` line when there is one
 * (the lines after it are advice, e.g. nvm commands), else the last line; colours removed.
 */
function stderrSummary(stderrTail: string): string | undefined {
  const lines = stderrTail.replace(ANSI_ESCAPE, "").split("\n").map((line) => line.trim()).filter(Boolean);
  const launcher = lines.find((line) => line.startsWith(LAUNCHER_PREFIX));
  return launcher ? launcher.slice(LAUNCHER_PREFIX.length) : lines.at(-1);
}
