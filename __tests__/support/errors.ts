// Checks shared by the tests of argument validation.
import { ArgumentError } from 'tokenkit';

/** What `run` throws synchronously (undefined where it returns). */
export function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}

/**
 * Runs `run`, which must throw synchronously: the error must be an ArgumentError (code
 * ERR_ARGUMENT) with an issue at `path`. Returns it for the caller's own checks (its message).
 */
export function argumentErrorOf(run: () => unknown, path: string): ArgumentError {
  const caught = thrownBy(run);
  expect(caught).toBeInstanceOf(ArgumentError);
  const err = caught as ArgumentError;
  expect(err.code).toBe('ERR_ARGUMENT');
  expect(err.issues.map((i) => i.path)).toContain(path);
  return err;
}
