// The UI-message-stream chunks agent-relay emits: a precise subset of the AI SDK's UIMessageChunk.
// Every member must parse under both `ai` 7 and `ai` 6.0.230, whose chunk schemas are strict (an
// unknown field is rejected), so no chunk carries anything beyond the fields declared here; sequence
// numbers live only in the SSE `id:` line. One exception: `tool-approval-response` (an approval's
// outcome) exists only in `ai` 7. In `ai` 6 an answered approval lives only in the client that
// answered it (no chunk can carry it, and its validator refuses a denied or finished part without
// it), so a run with an approval outcome needs an `ai` 7 reader; every other run reads in both.
import type { JSONValue, UIMessage, UIMessageChunk } from "ai";

/** The key under which agent-relay puts its own provider metadata on a part. */
export const RELAY_METADATA_KEY = "agent-relay";

/** Marks a text part whose text the agent withdrew (`assistant` with `replace: true`). */
export type DiscardedMetadata = { [RELAY_METADATA_KEY]: { discarded: true } };

/**
 * A status note ("Preparing response...", "Optimizing session context...", a retry notice). One
 * `data-status` part per run, with a fixed id, updated in place: `active` is true while the note
 * applies and false once the run moved on (the page shows active notes, hides inactive ones).
 */
export type StatusData = { text: string; active: boolean };

/** Token counts as the agent reports them (openclaw: cumulative for the run, e.g. `outputTokens`). */
export type Usage = Record<string, number>;

export type RunStatus = "running" | "completed" | "error" | "aborted";

/** The assistant message's metadata; each chunk sends a part of it, the client deep-merges them. */
export type RelayMessageMetadata = {
  runId?: string;
  status?: RunStatus;
  /** The agent's exit code; null when it was killed by a signal or never ran. */
  exitCode?: number | null;
  signal?: string;
  /** Lines that were malformed, of an unknown kind, or too long to deliver. */
  skippedLines?: number;
  /** Well-formed lines of kinds that have nothing to show (item, plan, approval, patch, ...). */
  ignoredLines?: number;
  usage?: Usage;
  /** Set on the stored and returned answer (not in the stream): true while its run is still going (a snapshot). */
  streaming?: boolean;
  /** On a streaming snapshot only: where it stands in the run's stream (see ResumePoint). */
  resume?: ResumePoint;
};

/**
 * Where a streaming snapshot of an answer stands in its run's stream: the id of the last event it
 * includes, and the chunk ids of its parts that are still open (text and reasoning; keyed by the
 * part's index in `parts`). A client continues the snapshot with the events after `eventId` alone.
 */
export type ResumePoint = { eventId: number; openPartIds: Record<string, string> };

export type RelayDataTypes = { status: StatusData };

/** The assistant message as the AI SDK client builds it from our chunks. */
export type RelayUIMessage = UIMessage<RelayMessageMetadata, RelayDataTypes>;

type TextStart = { type: "text-start"; id: string };
type TextDelta = { type: "text-delta"; id: string; delta: string };
type TextEnd = { type: "text-end"; id: string; providerMetadata?: DiscardedMetadata };
type ReasoningStart = { type: "reasoning-start"; id: string };
type ReasoningDelta = { type: "reasoning-delta"; id: string; delta: string };
type ReasoningEnd = { type: "reasoning-end"; id: string };
// `dynamic: true` on every tool chunk: the client does not know the agent's tools.
type ToolInputStart = { type: "tool-input-start"; toolCallId: string; toolName: string; dynamic: true };
type ToolInputAvailable = {
  type: "tool-input-available";
  toolCallId: string;
  toolName: string;
  input: JSONValue;
  dynamic: true;
};
type ToolOutputAvailable = {
  type: "tool-output-available";
  toolCallId: string;
  output: JSONValue;
  dynamic: true;
  /** Live output of a running tool; the final output follows without it. */
  preliminary?: true;
};
/** The agent waits for a person's decision on this tool call (`approvalId` is the agent's, for the answer). */
type ToolApprovalRequest = { type: "tool-approval-request"; approvalId: string; toolCallId: string };
/** A decision on that request: made at the relay (a person on any device), or the agent's on expiry. */
type ToolApprovalResponse = { type: "tool-approval-response"; approvalId: string; approved: boolean; reason?: string };
/** The call was denied (by a person, or by the agent's policy when nobody answered): it did not run. */
type ToolOutputDenied = { type: "tool-output-denied"; toolCallId: string };
type ToolOutputError = { type: "tool-output-error"; toolCallId: string; errorText: string; dynamic: true };
type StatusChunk = { type: "data-status"; id: string; data: StatusData };
type Start = { type: "start"; messageId: string; messageMetadata: RelayMessageMetadata };
type MessageMetadata = { type: "message-metadata"; messageMetadata: RelayMessageMetadata };
type Finish = { type: "finish"; finishReason: "stop" | "error"; messageMetadata: RelayMessageMetadata };

// Compile-time proof that every chunk we emit is one the AI SDK accepts.
type AcceptedBySdk<T extends UIMessageChunk<RelayMessageMetadata, RelayDataTypes>> = T;

export type UIChunk = AcceptedBySdk<
  | Start
  | TextStart
  | TextDelta
  | TextEnd
  | ReasoningStart
  | ReasoningDelta
  | ReasoningEnd
  | ToolInputStart
  | ToolInputAvailable
  | ToolOutputAvailable
  | ToolOutputError
  | ToolApprovalRequest
  | ToolApprovalResponse
  | ToolOutputDenied
  | StatusChunk
  | MessageMetadata
  | Finish
>;
