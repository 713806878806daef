import assert from "node:assert/strict";
import { DataError } from "../../lib/data/movielens/text-files";

/** The DataError thrown by `f` (fails the test when `f` does not throw one). */
export function dataError(f: () => unknown): DataError {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a DataError, nothing was thrown");
}
