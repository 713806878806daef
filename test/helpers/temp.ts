// Temporary folders for tests. Each is removed when the test file's process exits, whether its
// tests passed or failed, so a run leaves nothing in the system temp folder; `npm test` checks
// that at the end (test/run.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

/** A new empty folder `<tmp>/<prefix>XXXXXX`, removed when this process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.length === 0) process.on("exit", removeTempDirs);
  made.push(dir);
  return dir;
}

/** Removes the folders tempDir made so far (also run at exit). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
