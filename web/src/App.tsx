import { useCallback, useState } from "react";
import { forgetToken, loadToken, saveToken } from "./api/token-store.ts";
import { TokenSignIn } from "./components/TokenSignIn.tsx";
import { Workspace } from "./components/Workspace.tsx";

/** Signed in with a relay token, or asking for one. */
export function App() {
  const [token, setToken] = useState(loadToken);
  const [signInNotice, setSignInNotice] = useState<string | null>(null);

  const signOut = useCallback((reason: string | null) => {
    forgetToken();
    setSignInNotice(reason);
    setToken(null);
  }, []);

  if (token === null) {
    return (
      <TokenSignIn
        notice={signInNotice}
        onSignedIn={(accepted) => {
          saveToken(accepted);
          setToken(accepted);
        }}
      />
    );
  }
  return <Workspace key={token} token={token} onSignOut={signOut} />;
}
