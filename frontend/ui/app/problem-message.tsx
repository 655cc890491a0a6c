"use client";

import { ApiError, describeError } from "@/lib/api";
import { useSession } from "./session-context";

/** An API failure explained, with a way out when the key is the problem. */
export function ProblemMessage({ error, what }: { error: unknown; what?: string }) {
  const { signOut } = useSession();
  if (!error) return null;
  const keyProblem = error instanceof ApiError && error.kind === "unauthorized";
  return (
    <div className="problem" role="alert">
      <span>{describeError(error, what)}</span>
      {keyProblem ? (
        <button type="button" onClick={signOut}>
          Enter another key
        </button>
      ) : null}
    </div>
  );
}
