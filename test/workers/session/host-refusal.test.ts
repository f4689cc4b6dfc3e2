// The rule for a host's refusal of a run, without I/O: it counts only from the run's recorded host, and
// one heard before the host is recorded waits for it.
import { describe, expect, it } from "vitest";
import { refusalEffect } from "../../../src/session/host-refusal.ts";

describe("refusalEffect", () => {
  const refusal = { hostId: "laptop", error: "busy" };

  it("ends the run when its recorded host refused it", () => {
    expect(refusalEffect("laptop", refusal)).toBe("end");
  });

  it("ignores a refusal from another host than the run's", () => {
    expect(refusalEffect("desk", refusal)).toBe("ignore");
  });

  it("holds a refusal heard before the run's host is recorded", () => {
    expect(refusalEffect(null, refusal)).toBe("hold");
  });
});
