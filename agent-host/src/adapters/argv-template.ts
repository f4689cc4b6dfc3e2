// The agent's command line as a template: `{message}` and `{session}` stand for the user's message and
// the agent's session id. They are replaced only where they are a whole argument, or the value of an
// option written `--name={placeholder}`, and the command is spawned without a shell, so a message can
// never add arguments or be read as shell syntax.
//
// A message is text a person typed and may start with `-`. As a whole argument after an option
// (`--message {message}`) most option parsers take it as the value, but some read `--help` or `-rf`
// as an option of their own; `--message={message}` is always the value, and a bare `{message}`
// after `--` is always a positional argument. Which one fits depends on the agent CLI, so the
// template says it; templateWarning() points out a bare `{message}` that is neither.

export const PLACEHOLDERS = ["{message}", "{session}"] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

export interface TemplateValues {
  message: string;
  session: string;
}

/** `--name={placeholder}` (or `-n={placeholder}`): the placeholder is that option's value. */
const OPTION_VALUE = /^(--?[A-Za-z0-9][A-Za-z0-9_.-]*=)(\{message\}|\{session\})$/;

/** A JSON array of strings, or a plain command line split on whitespace (no quoting rules). */
export function parseCommandLine(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      throw new Error("--command looks like a JSON array but is not valid JSON");
    }
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
      throw new Error("--command as JSON must be an array of strings");
    }
    return value;
  }
  return trimmed.split(/\s+/).filter((part) => part !== "");
}

/** The placeholder an argument stands for, whole or as an option's value. */
function placeholderOf(arg: string): { prefix: string; placeholder: Placeholder } | undefined {
  if (arg === "{message}" || arg === "{session}") return { prefix: "", placeholder: arg };
  const match = OPTION_VALUE.exec(arg);
  return match ? { prefix: match[1]!, placeholder: match[2] as Placeholder } : undefined;
}

/** Throws a readable error when the template cannot work. */
export function checkTemplate(argv: readonly string[]): void {
  if (argv.length === 0 || argv[0] === "") throw new Error("--command is empty");
  for (const arg of argv) {
    if (placeholderOf(arg)) continue;
    for (const placeholder of PLACEHOLDERS) {
      if (arg.includes(placeholder)) {
        throw new Error(`${placeholder} must be a whole argument of --command or an option's value (--name=${placeholder}), not part of "${arg}"`);
      }
    }
  }
  if (!argv.some((arg) => placeholderOf(arg)?.placeholder === "{message}")) {
    throw new Error("--command must contain {message} as one argument (or --name={message})");
  }
}

/** A bare `{message}` that is neither after `--` nor after an option: a message like `-rf` could be taken as an option. */
export function templateWarning(argv: readonly string[]): string | undefined {
  const at = argv.indexOf("{message}");
  if (at === -1) return undefined;
  const before = argv.slice(1, at);
  if (before.includes("--") || before.at(-1)?.startsWith("-")) return undefined;
  return "{message} is a bare argument of --command: a message starting with - may be read as an option; put -- before it, or write --name={message}";
}

export function fillTemplate(argv: readonly string[], values: TemplateValues): string[] {
  return argv.map((arg) => {
    const found = placeholderOf(arg);
    if (!found) return arg;
    return found.prefix + (found.placeholder === "{message}" ? values.message : values.session);
  });
}
