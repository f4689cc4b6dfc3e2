import { useState, type FormEvent } from "react";
import { checkToken } from "../api/relay-api.ts";

type Props = {
  /** Why the person is here again (e.g. the saved token stopped working). */
  notice: string | null;
  onSignedIn: (token: string) => void;
};

/** Paste the relay token once; it is checked against the relay before it is kept. */
export function TokenSignIn({ notice, onSignedIn }: Props) {
  const [token, setToken] = useState("");
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<string | null>(notice);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const candidate = token.trim();
    if (candidate === "") {
      setProblem("Paste the relay token first.");
      return;
    }
    setChecking(true);
    setProblem(null);
    try {
      if ((await checkToken(candidate)) === "accepted") onSignedIn(candidate);
      else setProblem("The relay refused this token. Check it and try again.");
    } catch (error) {
      setProblem(`Could not check the token: ${(error as Error).message}`);
    } finally {
      setChecking(false);
    }
  }

  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-describedby="sign-in-help">
        <h1>agent-relay</h1>
        <p id="sign-in-help">Paste the relay token to chat with your agent. It is kept in this browser only.</p>
        <label htmlFor="relay-token">Relay token</label>
        <input
          id="relay-token"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-invalid={problem !== null}
          aria-describedby={problem ? "sign-in-problem" : undefined}
        />
        {problem && (
          <p id="sign-in-problem" className="form-problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" disabled={checking}>
          {checking ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
