import type { DynamicToolUIPart } from "ai";
import { approvalView } from "../chat/approval-state.ts";
import { displayValue, toolOutputDisplay } from "../chat/tool-display.ts";
import { ApprovalPrompt } from "./ApprovalPrompt.tsx";

const STATE_LABEL: Record<DynamicToolUIPart["state"], string> = {
  "input-streaming": "starting",
  "input-available": "running",
  "approval-requested": "waiting for approval",
  "approval-responded": "answered",
  "output-available": "done",
  "output-error": "failed",
  "output-denied": "denied",
};

/** One tool call: its name, input, an approval it waits for, live output while it runs, then its result or error. */
export function ToolCallView({ call }: { call: DynamicToolUIPart }) {
  const live = call.state === "output-available" && call.preliminary === true;
  const stateLabel = live ? "running" : STATE_LABEL[call.state];
  const output = call.state === "output-available" ? toolOutputDisplay(call.output) : null;
  const approval = approvalView(call);
  return (
    <section className={`tool-call tool-${call.state}${live ? " tool-live" : ""}`} aria-label={`Tool call ${call.toolName}`}>
      <header>
        <span className="tool-name">{call.toolName}</span>
        <span className="tool-state">{stateLabel}</span>
      </header>
      {call.input !== undefined && (
        <details className="tool-input" open>
          <summary>Input</summary>
          <pre>{displayValue(call.input)}</pre>
        </details>
      )}
      {approval && <ApprovalPrompt view={approval} />}
      {output && output.text !== "" && <pre className="tool-output">{output.text}</pre>}
      {output?.details && (
        <details className="tool-details">
          <summary>Details</summary>
          <pre>{output.details}</pre>
        </details>
      )}
      {call.state === "output-error" && <pre className="tool-error">{call.errorText}</pre>}
    </section>
  );
}
