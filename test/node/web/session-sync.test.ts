import { describe, expect, it } from "vitest";
import { decideSync, syncStamp } from "../../../web/src/chat/session-sync.ts";

const idleRow = { updatedAt: 1000, status: "completed" };
const runningRow = { updatedAt: 2000, status: "running" };

describe("decideSync", () => {
  it("does nothing while the index row is the one the page already caught up with", () => {
    expect(decideSync(idleRow, syncStamp(idleRow), true)).toBe("none");
  });

  it("reloads and attaches when another tab started a run", () => {
    expect(decideSync(runningRow, syncStamp(idleRow), true)).toBe("reload-and-attach");
  });

  it("reloads the persisted answer when a run ended out of sight", () => {
    const ended = { updatedAt: 3000, status: "completed" };
    expect(decideSync(ended, syncStamp(runningRow), true)).toBe("reload");
  });

  it("leaves a page that is following a stream alone", () => {
    expect(decideSync(runningRow, syncStamp(idleRow), false)).toBe("none");
  });

  it("takes the first row it sees as the starting point", () => {
    expect(decideSync(runningRow, undefined, true)).toBe("none");
  });

  it("does nothing while the session list has not loaded", () => {
    expect(decideSync(undefined, syncStamp(idleRow), true)).toBe("none");
  });

  it("attaches to the first run of a new chat that another tab started", () => {
    expect(decideSync(runningRow, syncStamp(null), true)).toBe("reload-and-attach");
  });

  it("reloads when the chat was deleted elsewhere", () => {
    expect(decideSync(null, syncStamp(idleRow), true)).toBe("reload");
  });
});
