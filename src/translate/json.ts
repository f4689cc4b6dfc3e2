// Narrowing and bounds for values that came out of JSON.parse.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Whether JSON text nests arrays/objects deeper than `maxDepth`. One pass over the characters, no
 * recursion: JSON.parse (and, in today's V8, JSON.stringify) take any depth, but structuredClone and
 * RPC serialization recurse and overflow the stack (measured in workerd: ~3,000 levels of objects,
 * ~10,000 of arrays), so deep values must be refused before anything clones them. Brackets inside strings do not count. Malformed text is the parser's business.
 */
export function jsonNestingExceeds(text: string, maxDepth: number): boolean {
  // Nesting needs an opening bracket per level: a text with no more than maxDepth of them, counted with
  // the native indexOf, cannot exceed it. Most agent lines have a handful, and the exact scan below cost
  // a quarter of translating one (scripts/bench/line-profile.ts).
  if (openingBracketsAtMost(text, maxDepth)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b /* [ */ || char === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (char === 0x5d /* ] */ || char === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

function openingBracketsAtMost(text: string, limit: number): boolean {
  let count = 0;
  for (const bracket of ["{", "["]) {
    for (let at = text.indexOf(bracket); at >= 0; at = text.indexOf(bracket, at + 1)) {
      if (++count > limit) return false;
    }
  }
  return true;
}

/** The same bound for a value JSON.parse already built: an explicit stack, never recursion. */
export function jsonValueNestingExceeds(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
