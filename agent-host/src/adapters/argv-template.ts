// The agent's command line as a template: `{message}` and `{session}` stand for the user's message and
// the agent's session id. They are replaced only where they are a whole argument, and the command is
// spawned without a shell, so a message can never add arguments or be read as shell syntax.

export const PLACEHOLDERS = ["{message}", "{session}"] as const;

export interface TemplateValues {
  message: string;
  session: string;
}

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

/** Throws a readable error when the template cannot work. */
export function checkTemplate(argv: readonly string[]): void {
  if (argv.length === 0 || argv[0] === "") throw new Error("--command is empty");
  for (const arg of argv) {
    for (const placeholder of PLACEHOLDERS) {
      if (arg !== placeholder && arg.includes(placeholder)) {
        throw new Error(`${placeholder} must be a whole argument of --command, not part of "${arg}"`);
      }
    }
  }
  if (!argv.includes("{message}")) throw new Error("--command must contain {message} as one argument");
}

export function fillTemplate(argv: readonly string[], values: TemplateValues): string[] {
  return argv.map((arg) => (arg === "{message}" ? values.message : arg === "{session}" ? values.session : arg));
}
