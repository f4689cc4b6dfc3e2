// One run's agent stdout lines -> AI SDK UI-message-stream chunks (pure; no I/O, no clock, no random).
//
// What the page sees:
// - `start` first (message id, metadata `{ runId, status: "running" }`), `finish` last (finishReason
//   "stop" or "error", metadata `{ status, exitCode, signal?, skippedLines, ignoredLines, usage? }`).
// - Status notes ("Preparing response...", "Optimizing session context...", "Retrying with compacted
//   context...", provider retries) are ONE `data-status` part per run, id `<runId>-status`, data
//   `{ text, active }`, updated in place: active while the note applies, inactive as soon as the run
//   shows something else (reasoning, text, a tool, an error) or ends. The page shows it while active.
// - thinking -> reasoning parts; assistant deltas -> text parts (a new part when the agent's itemId
//   changes); `mediaUrls` -> `![media](url)` in the text; tools -> dynamic tool parts, with live
//   (`preliminary`) output from `tool` update and `command_output` delta lines.
// - `assistant` with `replace: true` withdraws the current item's text: its part is ended with
//   providerMetadata `{ "agent-relay": { discarded: true } }` (see discarded.ts) and the replacement
//   text starts a new part.
// - Errors are self-contained text parts "[error] <message>" (not the SDK's `error` chunk: consumers
//   run with terminateOnError). Agent errors are reported once; a user's stop is not an error.
// - openclaw's preamble item (the words before a tool call) is shown as text when no assistant text
//   said the same.
// - Approval requests (the host's `exec.approval.requested` line) put the waiting tool part in the
//   SDK's `approval-requested` state (`tool-approval-request`, the agent's approval id); the outcome
//   line is the SDK's `tool-approval-response` (approved or not, the person's reason), then for a
//   denial `tool-output-denied` (the agent's "denied" tool result that follows is dropped); an expiry
//   says so in the response's reason. A request still open when the run ends is answered "not approved" with the
//   reason, so no part waits for ever. (`tool-approval-response` is `ai` 7's: see chunks.ts.)
// - Lines that are malformed, of an unknown kind, or the host's line-too-long marker count as
//   `skippedLines`; known streams with nothing to show (other items, plan, approval, patch, the agent's
//   recoverable-fault `error` stream, run_status phases other than retrying) count as `ignoredLines`.
// - A line nested deeper than MAX_JSON_DEPTH (never parsed: structuredClone and RPC serialization of
//   the message would overflow the stack on it) and a line the edge could not translate (`skip()`)
//   count as `skippedLines` too and leave a visible "[error] Skipped an agent line: ..." text part.
// Ids are `<runId>-<kind>-<n>` from a counter kept in the snapshot, so a translator restored from a
// snapshot continues with fresh, deterministic ids. The agent's tool call ids are mapped to ours
// (they may repeat within a run); only tools still running are remembered.
import type { JSONValue } from "ai";
import { MAX_JSON_DEPTH } from "../../protocol/limits.ts";
import { APPROVAL_REQUESTED_LINE, APPROVAL_RESOLVED_LINE } from "../../protocol/approval-lines.ts";
import { agentErrorMessage, errorFromStderr, parseErrorBody } from "./agent-errors.ts";
import { APPROVAL_TOOL_NAME, expiryNote, readApprovalOutcome, readApprovalRequest } from "./approvals.ts";
import type { RelayMessageMetadata, RunStatus, StatusData, UIChunk, Usage } from "./chunks.ts";
import { DISCARDED_METADATA } from "./discarded.ts";
import { isRecord, jsonNestingExceeds } from "./json.ts";
import { toolErrorText, toolOutput } from "./tool-output.ts";

export interface RunEnd {
  /** From the host's exit frame. */
  exit?: { code: number | null; signal: string | null; stderrTail: string; error?: string };
  /** The user pressed Stop (the exit usually follows with SIGTERM / 143). */
  aborted?: boolean;
  /** The edge ended the run itself: "agent host disconnected ...", "run exceeded N lines", ... */
  error?: string;
}

/** Small JSON-serializable state: enough to continue translating mid-run, never the message. */
export interface TranslatorSnapshot {
  version: 1;
  phase: "new" | "running" | "ended";
  nextId: number;
  /** The open text part and the agent item it belongs to. */
  text: { id: string; itemId: string | null; hasContent: boolean } | null;
  reasoningId: string | null;
  status: StatusData | null;
  /**
   * Tools started and not finished: the agent's toolCallId -> ours. `denied`: a person (or an expiry)
   * denied it; the part stays denied and the agent's result for it is dropped.
   */
  openTools: Array<{ agentId: string; id: string; denied?: true }>;
  /** Approval requests waiting for an outcome: the agent's approval id -> our tool part. Absent in older snapshots. */
  approvals?: Array<{ approvalId: string; toolId: string }>;
  /** Some closed, kept text part has text (an answer or an error). */
  textKept: boolean;
  /** The agent wrote text since the run began or its last tool call began. */
  spokeSinceTool: boolean;
  errorReported: boolean;
  aborted: boolean;
  sawLines: boolean;
  skippedLines: number;
  ignoredLines: number;
  usage: Usage | null;
}

const SNAPSHOT_VERSION = 1;
const PREPARING = "Preparing response...";
const COMPACTING = "Optimizing session context...";
const COMPACTION_RETRY = `${COMPACTING}\nRetrying with compacted context...`;
const RETRYING = "Retrying...";
const UNNAMED_TOOL = "unknown";
const UNANSWERED_APPROVAL = "The run ended before anyone answered.";
/** Usage fields kept per run (openclaw reports about ten); more would bloat every stored snapshot. */
const MAX_USAGE_FIELDS = 32;
/** Approval requests waiting at once; more would bloat every stored snapshot (an agent asks one at a time). */
export const MAX_PENDING_APPROVALS = 16;

/** Streams the agent emits that have nothing to show here. */
const IGNORED_STREAMS = new Set(["item", "plan", "approval", "patch", "error"]);

export interface TranslatorInit {
  messageId: string;
  runId: string;
  snapshot?: TranslatorSnapshot;
}

export class RunTranslator {
  readonly #messageId: string;
  readonly #runId: string;
  readonly #s: TranslatorSnapshot;
  #out: UIChunk[] = [];

  constructor(init: TranslatorInit) {
    this.#messageId = init.messageId;
    this.#runId = init.runId;
    if (init.snapshot && init.snapshot.version !== SNAPSHOT_VERSION) {
      throw new Error(`RunTranslator: unsupported snapshot version ${String(init.snapshot.version)}`);
    }
    this.#s = init.snapshot ? structuredClone(init.snapshot) : freshState();
  }

  start(): UIChunk[] {
    this.#expectPhase("new", "start()");
    this.#s.phase = "running";
    this.#emit({ type: "start", messageId: this.#messageId, messageMetadata: { runId: this.#runId, status: "running" } });
    return this.#flush();
  }

  /** One agent stdout line. Malformed or unknown lines give no chunks and are counted. */
  line(line: string): UIChunk[] {
    this.#expectPhase("running", "line()");
    this.#readLine(line);
    return this.#flush();
  }

  /**
   * Counts a line nobody could translate (the caller caught a failure while translating it) and leaves
   * a visible note in its place, so the run goes on without it.
   */
  skip(reason: string): UIChunk[] {
    this.#expectPhase("running", "skip()");
    this.#skipVisibly(reason);
    return this.#flush();
  }

  /** An independent translator in this one's state: work on it, keep it only if that work is stored. */
  copy(): RunTranslator {
    return new RunTranslator({ messageId: this.#messageId, runId: this.#runId, snapshot: this.#s });
  }

  end(end: RunEnd): UIChunk[] {
    this.#expectPhase("running", "end()");
    const s = this.#s;
    const exit = end.exit;
    const aborted = end.aborted === true || s.aborted;
    this.#failOpenTools(aborted ? "Stopped before the tool finished." : "The run ended before the tool finished.");

    const exitFailed = exit !== undefined && (exit.code === null ? exit.signal !== null : exit.code !== 0);
    const failures = [
      exit?.error && (s.sawLines ? `Agent failed: ${exit.error}` : `Failed to start agent: ${exit.error}`),
      end.error,
    ].filter((failure): failure is string => Boolean(failure));
    for (const failure of failures) this.#showError(failure);

    let exitErrorShown = false;
    if (failures.length === 0 && !aborted) {
      // stderr only explains a failure: a successful answer is not turned into an error by log noise.
      if (exit?.stderrTail && (exitFailed || !this.#hasText())) {
        const fromStderr = errorFromStderr(exit.stderrTail);
        if (fromStderr) this.#reportAgentError(fromStderr);
      }
      // Without a word of explanation a failed run would look like an answer that just stops.
      if (!this.#hasText() || (exitFailed && !s.errorReported)) {
        this.#showError(exitMessage(exit));
        exitErrorShown = true;
      }
    }
    this.#closeOpenParts();

    const errorShown = failures.length > 0 || exitErrorShown || s.errorReported;
    const status: RunStatus = aborted && failures.length === 0 ? "aborted" : errorShown || exitFailed ? "error" : "completed";
    const metadata: RelayMessageMetadata = {
      status,
      exitCode: exit?.code ?? null,
      ...(exit?.signal ? { signal: exit.signal } : {}),
      skippedLines: s.skippedLines,
      ignoredLines: s.ignoredLines,
      ...(s.usage ? { usage: { ...s.usage } } : {}),
    };
    this.#emit({ type: "finish", finishReason: status === "error" ? "error" : "stop", messageMetadata: metadata });
    s.phase = "ended";
    return this.#flush();
  }

  /** The run waits for a person's answer to this approval request (the edge forwards only those). */
  awaitsApproval(approvalId: string): boolean {
    return this.#s.phase === "running" && (this.#s.approvals ?? []).some((approval) => approval.approvalId === approvalId);
  }

  snapshot(): TranslatorSnapshot {
    return structuredClone(this.#s);
  }

  #readLine(line: string): void {
    if (!line.trim()) return; // blank lines carry nothing (the reference ignores them too)
    if (jsonNestingExceeds(line, MAX_JSON_DEPTH)) {
      this.#skipVisibly(`it nests deeper than ${MAX_JSON_DEPTH} levels`);
      return;
    }
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      this.#s.skippedLines++;
      return;
    }
    if (!isRecord(event)) {
      this.#s.skippedLines++;
      return;
    }
    this.#s.sawLines = true;
    if (event.event === "agent") {
      this.#agentEvent(event);
    } else if (event.event === APPROVAL_REQUESTED_LINE) {
      this.#approvalRequested(event);
    } else if (event.event === APPROVAL_RESOLVED_LINE) {
      this.#approvalResolved(event);
    } else if (event.event === "error") {
      const data = isRecord(event.data) ? event.data : event;
      this.#reportAgentError(agentErrorMessage(data) ?? "The agent reported an error.");
    } else {
      // Unknown events, and the host's {"event":"relay","stream":"skipped"} marker for a line too long.
      this.#s.skippedLines++;
    }
  }

  #agentEvent(event: Record<string, unknown>): void {
    const { stream, data } = event;
    if (typeof stream !== "string" || !isRecord(data)) {
      this.#s.skippedLines++;
      return;
    }
    switch (stream) {
      case "lifecycle":
        return this.#lifecycle(data);
      case "assistant":
        return this.#assistant(data);
      case "thinking":
        return this.#thinking(data);
      case "tool":
        return this.#tool(data);
      case "command_output":
        return this.#commandOutput(data);
      case "compaction":
        return this.#compaction(data);
      case "run_status":
        return this.#runStatus(data);
      case "usage":
        return this.#usage(data);
      case "item":
        return this.#item(data);
      default:
        if (IGNORED_STREAMS.has(stream)) this.#s.ignoredLines++;
        else this.#s.skippedLines++;
    }
  }

  #lifecycle(data: Record<string, unknown>): void {
    if (data.phase === "start") {
      this.#setStatus(PREPARING);
    } else if (data.phase === "end") {
      this.#closeOpenParts();
    } else if (data.phase === "error") {
      if (data.aborted === true || data.stopReason === "aborted") {
        this.#s.aborted = true; // a stop, shown as such at the end; not an error
        this.#closeOpenParts();
      } else {
        this.#reportAgentError(agentErrorMessage(data) ?? "The agent run failed.");
      }
    }
  }

  #assistant(data: Record<string, unknown>): void {
    // `text` is read only with `replace`: the host's openclaw adapters leave it out beside a delta
    // (protocol/running-text.ts), and a change here must change that rule too.
    const itemId = typeof data.itemId === "string" ? data.itemId : null;
    if (data.replace === true) {
      // `text` is the item's whole text from now on; what was streamed for it is void.
      this.#discardText(itemId);
      if (typeof data.text === "string" && data.text) this.#appendText(data.text, itemId);
    } else if (typeof data.delta === "string" && data.delta) {
      this.#appendText(data.delta, itemId);
    }
    // Rare: a burst's plain deltas build no array here (it showed in workerd's profile).
    if (data.mediaUrls !== undefined || data.mediaUrl !== undefined) {
      const mediaUrls = [...(Array.isArray(data.mediaUrls) ? data.mediaUrls : []), data.mediaUrl];
      for (const url of mediaUrls) {
        if (typeof url === "string" && url.trim()) this.#appendText(`\n![media](${markdownUrl(url.trim())})\n`, itemId);
      }
    }
    if (data.stopReason === "error" && typeof data.errorMessage === "string") {
      this.#reportAgentError(parseErrorBody(data.errorMessage));
    }
  }

  /**
   * openclaw reports what the model says before a tool call ("Let me read the file.") as a preamble
   * item; often the same words also come as assistant text, sometimes only here. Shown once, as text,
   * when the item ends (its progress updates repeat themselves) and no assistant text said it.
   */
  #item(data: Record<string, unknown>): void {
    const text = data.progressText;
    if (data.kind === "preamble" && data.phase === "end" && typeof text === "string" && text.trim() && !this.#s.spokeSinceTool) {
      this.#appendText(text, typeof data.itemId === "string" ? data.itemId : null);
      this.#closeText();
      return;
    }
    this.#s.ignoredLines++;
  }

  #thinking(data: Record<string, unknown>): void {
    // Only `delta`: the host leaves openclaw's running `text` out (protocol/running-text.ts).
    if (typeof data.delta !== "string" || !data.delta) return;
    this.#settleStatus();
    if (!this.#s.reasoningId) {
      this.#s.reasoningId = this.#newId("reasoning");
      this.#emit({ type: "reasoning-start", id: this.#s.reasoningId });
    }
    this.#emit({ type: "reasoning-delta", id: this.#s.reasoningId, delta: data.delta });
  }

  #tool(data: Record<string, unknown>): void {
    const agentId = data.toolCallId;
    if (typeof agentId !== "string" || !agentId) {
      this.#s.skippedLines++;
      return;
    }
    const toolName = typeof data.name === "string" && data.name ? data.name : UNNAMED_TOOL;
    const denied = this.#s.openTools.find((tool) => tool.agentId === agentId && tool.denied);
    if (denied && data.phase !== "start") {
      // The agent's own account of the denial ("exec denied: ...") would turn the denied part into a result.
      if (data.phase === "result") this.#s.openTools = this.#s.openTools.filter((tool) => tool !== denied);
      this.#s.ignoredLines++;
      return;
    }
    if (data.phase === "start") {
      this.#startTool(agentId, toolName, isRecord(data.args) ? (data.args as Record<string, JSONValue>) : {});
    } else if (data.phase === "update") {
      const id = this.#openToolId(agentId);
      if (id && data.partialResult !== undefined) {
        this.#closeApprovalOf(id, true);
        this.#preliminaryOutput(id, toolOutput(data.partialResult));
      }
    } else if (data.phase === "result") {
      // A result for a tool we never saw start still gets a part, so the consumer can attach it.
      const id = this.#openToolId(agentId) ?? this.#startTool(agentId, toolName, {});
      this.#s.openTools = this.#s.openTools.filter((tool) => tool.agentId !== agentId);
      const errorText = data.isError === true ? toolErrorText(data.result) : undefined;
      if (this.#closeApprovalOf(id, errorText === undefined, errorText) && errorText !== undefined) {
        this.#emit({ type: "tool-output-denied", toolCallId: id });
        return;
      }
      if (errorText !== undefined) {
        this.#emit({ type: "tool-output-error", toolCallId: id, errorText, dynamic: true });
      } else {
        this.#emit({ type: "tool-output-available", toolCallId: id, output: toolOutput(data.result), dynamic: true });
      }
    }
  }

  /** A running command's output so far (openclaw sends the whole output each time, not an increment). */
  #commandOutput(data: Record<string, unknown>): void {
    if (data.phase !== "delta" || typeof data.output !== "string" || typeof data.toolCallId !== "string") return;
    const id = this.#openToolId(data.toolCallId);
    const status = typeof data.status === "string" ? data.status : "running";
    if (!id) return;
    this.#closeApprovalOf(id, true);
    this.#preliminaryOutput(id, { text: data.output, status });
  }

  #approvalRequested(line: Record<string, unknown>): void {
    const request = readApprovalRequest(line);
    if (!request) {
      this.#s.skippedLines++;
      return;
    }
    const approvals = (this.#s.approvals ??= []);
    if (approvals.some((approval) => approval.approvalId === request.approvalId)) {
      this.#s.ignoredLines++; // the same request again (a backfill after a reconnect)
      return;
    }
    if (approvals.length >= MAX_PENDING_APPROVALS) {
      this.#skipVisibly(`more than ${MAX_PENDING_APPROVALS} approval requests wait at once`);
      return;
    }
    const toolId = this.#openToolId(request.agentToolCallId) ?? this.#startTool(request.agentToolCallId, APPROVAL_TOOL_NAME, request.input);
    this.#settleStatus();
    approvals.push({ approvalId: request.approvalId, toolId });
    this.#emit({ type: "tool-approval-request", approvalId: request.approvalId, toolCallId: toolId });
  }

  #approvalResolved(line: Record<string, unknown>): void {
    const outcome = readApprovalOutcome(line);
    if (!outcome) {
      this.#s.skippedLines++;
      return;
    }
    const approval = this.#s.approvals?.find((candidate) => candidate.approvalId === outcome.approvalId);
    const tool = approval && this.#s.openTools.find((candidate) => candidate.id === approval.toolId);
    if (!approval || !tool) {
      this.#s.ignoredLines++; // an outcome for no request, or for a tool that already ended
      return;
    }
    this.#s.approvals = this.#s.approvals!.filter((candidate) => candidate !== approval);
    // An expiry is said on the part itself (its reason), which every reader and the stored message keep.
    this.#answerApproval(approval.approvalId, tool, outcome.allowed, outcome.expired ? expiryNote(outcome.allowed) : outcome.reason);
  }

  /**
   * The agent went on with a tool whose approval has no outcome line (it never came, or came late):
   * what the tool did says how it was decided (it ran, or it failed, as a denied command does), so the
   * part never shows output without an answered approval, which the SDK's validator refuses.
   */
  #closeApprovalOf(toolId: string, approved: boolean, reason?: string): boolean {
    const approval = this.#s.approvals?.find((candidate) => candidate.toolId === toolId);
    if (!approval) return false;
    this.#s.approvals = this.#s.approvals!.filter((candidate) => candidate !== approval);
    this.#emit({ type: "tool-approval-response", approvalId: approval.approvalId, approved, ...(reason ? { reason } : {}) });
    return true;
  }

  /** The SDK's approval response, and for a denial the denied output (the tool does not run). */
  #answerApproval(approvalId: string, tool: TranslatorSnapshot["openTools"][number], approved: boolean, reason: string | undefined): void {
    this.#emit({ type: "tool-approval-response", approvalId, approved, ...(reason ? { reason } : {}) });
    if (approved) return;
    tool.denied = true;
    this.#emit({ type: "tool-output-denied", toolCallId: tool.id });
  }

  #compaction(data: Record<string, unknown>): void {
    if (data.phase === "start") {
      this.#closeReasoning();
      this.#closeText();
      this.#setStatus(COMPACTING);
    } else if (data.phase === "end" && this.#s.status?.active) {
      // The note is replaced, never appended to: a run of retries must not grow it (issue 9, finding 2).
      if (data.willRetry === true) this.#setStatus(COMPACTION_RETRY);
      else this.#settleStatus();
    }
  }

  #runStatus(data: Record<string, unknown>): void {
    if (data.phase !== "retrying") {
      this.#s.ignoredLines++;
      return;
    }
    this.#setStatus(typeof data.message === "string" && data.message.trim() ? data.message : RETRYING);
  }

  /**
   * openclaw's usage lines are cumulative for the run: each field keeps its latest value. Only the
   * fields that changed are sent (clients deep-merge metadata), and at most MAX_USAGE_FIELDS are kept
   * (the snapshot is stored with every frame): output stays linear in input (issue 9, finding 2).
   */
  #usage(data: Record<string, unknown>): void {
    const usage = this.#s.usage ?? {};
    const changed: Usage = {};
    let count = Object.keys(usage).length;
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== "number" || !Number.isFinite(value) || usage[key] === value || key === "__proto__") continue;
      if (!Object.hasOwn(usage, key)) {
        if (count >= MAX_USAGE_FIELDS) continue;
        count++;
      }
      usage[key] = value;
      changed[key] = value;
    }
    if (count === 0) return;
    this.#s.usage = usage;
    if (Object.keys(changed).length > 0) this.#emit({ type: "message-metadata", messageMetadata: { usage: changed } });
  }

  #startTool(agentId: string, toolName: string, input: Record<string, JSONValue>): string {
    this.#closeOpenParts();
    // A denied call whose result never came is over once the agent reuses its id.
    this.#s.openTools = this.#s.openTools.filter((tool) => !(tool.agentId === agentId && tool.denied));
    this.#s.spokeSinceTool = false;
    const id = this.#newId("tool");
    this.#s.openTools.push({ agentId, id });
    this.#emit({ type: "tool-input-start", toolCallId: id, toolName, dynamic: true });
    this.#emit({ type: "tool-input-available", toolCallId: id, toolName, input, dynamic: true });
    return id;
  }

  #openToolId(agentId: string): string | undefined {
    return this.#s.openTools.find((tool) => tool.agentId === agentId && !tool.denied)?.id;
  }

  #preliminaryOutput(id: string, output: Record<string, JSONValue>): void {
    this.#emit({ type: "tool-output-available", toolCallId: id, output, dynamic: true, preliminary: true });
  }

  /** A tool part left running would spin forever in the persisted message. */
  #failOpenTools(errorText: string): void {
    for (const approval of this.#s.approvals ?? []) {
      const tool = this.#s.openTools.find((candidate) => candidate.id === approval.toolId);
      if (tool && !tool.denied) this.#answerApproval(approval.approvalId, tool, false, UNANSWERED_APPROVAL);
    }
    this.#s.approvals = [];
    for (const tool of this.#s.openTools) {
      if (tool.denied) continue; // stays denied
      this.#emit({ type: "tool-output-error", toolCallId: tool.id, errorText, dynamic: true });
    }
    this.#s.openTools = [];
  }

  #appendText(delta: string, itemId: string | null): void {
    this.#settleStatus();
    this.#closeReasoning();
    const open = this.#s.text;
    if (open && itemId && open.itemId && open.itemId !== itemId) this.#closeText();
    if (!this.#s.text) {
      this.#s.text = { id: this.#newId("text"), itemId, hasContent: false };
      this.#emit({ type: "text-start", id: this.#s.text.id });
    } else if (!this.#s.text.itemId) {
      this.#s.text.itemId = itemId;
    }
    this.#emit({ type: "text-delta", id: this.#s.text.id, delta });
    this.#s.text.hasContent = true;
    this.#s.spokeSinceTool = true;
  }

  #closeText(): void {
    const open = this.#s.text;
    if (!open) return;
    this.#emit({ type: "text-end", id: open.id });
    this.#s.textKept ||= open.hasContent;
    this.#s.text = null;
  }

  /** Withdraws the open text part if it holds this item's text (another item's text stays). */
  #discardText(itemId: string | null): void {
    const open = this.#s.text;
    if (!open) return;
    if (itemId && open.itemId && open.itemId !== itemId) {
      this.#closeText();
      return;
    }
    this.#emit({ type: "text-end", id: open.id, providerMetadata: DISCARDED_METADATA });
    this.#s.text = null;
  }

  #closeReasoning(): void {
    if (!this.#s.reasoningId) return;
    this.#emit({ type: "reasoning-end", id: this.#s.reasoningId });
    this.#s.reasoningId = null;
  }

  #closeOpenParts(): void {
    this.#settleStatus();
    this.#closeReasoning();
    this.#closeText();
  }

  #setStatus(text: string): void {
    if (this.#s.status?.active && this.#s.status.text === text) return; // nothing new to say
    this.#s.status = { text, active: true };
    this.#emitStatus();
  }

  /** The note no longer applies. */
  #settleStatus(): void {
    if (!this.#s.status?.active) return;
    this.#s.status.active = false;
    this.#emitStatus();
  }

  #emitStatus(): void {
    const status = this.#s.status;
    if (status) this.#emit({ type: "data-status", id: `${this.#runId}-status`, data: { ...status } });
  }

  #reportAgentError(message: string): void {
    if (this.#s.errorReported) return;
    this.#s.errorReported = true;
    this.#showError(message);
  }

  #showError(message: string): void {
    this.#showNote(`[error] ${message}`);
    this.#s.textKept = true;
  }

  /** A skipped line is counted and shown, but it is no answer: "No response from agent" still applies. */
  #skipVisibly(reason: string): void {
    this.#s.skippedLines++;
    this.#showNote(`[error] Skipped an agent line: ${reason}.`);
  }

  #showNote(text: string): void {
    this.#closeOpenParts();
    const id = this.#newId("text");
    this.#emit({ type: "text-start", id });
    this.#emit({ type: "text-delta", id, delta: text });
    this.#emit({ type: "text-end", id });
  }

  #hasText(): boolean {
    return this.#s.textKept || this.#s.text?.hasContent === true;
  }

  #newId(kind: string): string {
    return `${this.#runId}-${kind}-${this.#s.nextId++}`;
  }

  #emit(chunk: UIChunk): void {
    this.#out.push(chunk);
  }

  #flush(): UIChunk[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  #expectPhase(phase: TranslatorSnapshot["phase"], call: string): void {
    if (this.#s.phase !== phase) throw new Error(`RunTranslator: ${call} called when the run is ${this.#s.phase}`);
  }
}

function freshState(): TranslatorSnapshot {
  return {
    version: SNAPSHOT_VERSION,
    phase: "new",
    nextId: 1,
    text: null,
    reasoningId: null,
    status: null,
    openTools: [],
    textKept: false,
    spokeSinceTool: false,
    errorReported: false,
    aborted: false,
    sawLines: false,
    skippedLines: 0,
    ignoredLines: 0,
    usage: null,
  };
}

/** A URL as a Markdown link destination: spaces, parentheses and angle brackets would end it early. */
function markdownUrl(url: string): string {
  return url.replace(/[\s()<>]/g, (char) => (char === "(" ? "%28" : char === ")" ? "%29" : encodeURIComponent(char)));
}

function exitMessage(exit: RunEnd["exit"]): string {
  if (exit && exit.code !== null && exit.code !== 0) {
    return `Agent exited with code ${exit.code}. Check server logs for details.`;
  }
  if (exit?.signal) return `Agent was stopped by ${exit.signal}. Check server logs for details.`;
  return "No response from agent.";
}
