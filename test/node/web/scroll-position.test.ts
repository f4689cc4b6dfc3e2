// Where the conversation scrolls after a render (issue 9, finding 4: a long chat loads its earlier messages
// as the person scrolls up, and follows the newest words while they stay at the bottom).
import { describe, expect, it } from "vitest";
import { scrollTopAfterRender } from "../../../web/src/chat/scroll-position.ts";

const messages = ["m1", "m2", "m3"].map((id) => ({ id }));

describe("the conversation's scroll position after a render", () => {
  it("follows the newest words when the person was at the bottom of what was shown", () => {
    const before = { firstId: "m1", scrollHeight: 2_000 };
    expect(scrollTopAfterRender({ scrollTop: 1_400, scrollHeight: 2_300, clientHeight: 600 }, before, messages)).toBe(2_300);
    // The first render of a chat starts at its newest words.
    expect(scrollTopAfterRender({ scrollTop: 0, scrollHeight: 5_000, clientHeight: 600 }, { firstId: undefined, scrollHeight: 0 }, messages)).toBe(5_000);
  });

  it("stays where someone scrolled up to, even before the browser delivered the scroll event", () => {
    // The page set scrollTop to 0 and a reload re-rendered the same messages in the same frame.
    const before = { firstId: "m1", scrollHeight: 2_000 };
    expect(scrollTopAfterRender({ scrollTop: 0, scrollHeight: 2_000, clientHeight: 600 }, before, messages)).toBeUndefined();
    expect(scrollTopAfterRender({ scrollTop: 700, scrollHeight: 2_300, clientHeight: 600 }, before, messages)).toBeUndefined();
  });

  it("keeps the same words in view when earlier messages are put in front", () => {
    const before = { firstId: "m2", scrollHeight: 2_000 };
    expect(scrollTopAfterRender({ scrollTop: 50, scrollHeight: 2_900, clientHeight: 600 }, before, messages)).toBe(950);
    // A different conversation (not a prepend) is left alone.
    expect(scrollTopAfterRender({ scrollTop: 50, scrollHeight: 2_900, clientHeight: 600 }, { firstId: "x", scrollHeight: 2_000 }, messages)).toBeUndefined();
  });
});
