// An exclusive lock on a resource (a training run) held by a lock file: created with O_EXCL,
// so two processes cannot both take it; it names the holder (pid, host, since when). A lock
// whose process is gone (killed, crashed) is taken over, and the caller is told.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { processAlive } from "./fs";

interface Holder {
  pid: number;
  host: string;
  since: string;
}

export interface Lock {
  /** The lock file's holder was a dead process whose lock this one took over. */
  reclaimed: Holder | null;
  release(): void;
}

function readHolder(path: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(path, "utf8")) as Partial<Holder>;
    return typeof h.pid === "number" && typeof h.host === "string" ? { pid: h.pid, host: h.host, since: String(h.since ?? "") } : null;
  } catch {
    return null; // half-written by a process killed at creation: treat as stale
  }
}

/** Takes the lock at `path` for `what` (e.g. `run "cvae-synthetic"`); throws naming the live holder. */
export function acquireLock(path: string, what: string): Lock {
  mkdirSync(dirname(path), { recursive: true });
  let reclaimed: Holder | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = readHolder(path);
      const sameHost = holder === null || holder.host === hostname();
      if (holder && (!sameHost || processAlive(holder.pid))) {
        throw new Error(
          `${what} is in use by process ${holder.pid} on ${holder.host} since ${holder.since} (lock ${path}); ` +
            "wait for it to finish, or pick another run name",
          { cause: err },
        );
      }
      reclaimed = holder ?? { pid: 0, host: hostname(), since: "unknown" };
      rmSync(path, { force: true });
      continue;
    }
    const me: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    return {
      reclaimed,
      release() {
        const h = existsSync(path) ? readHolder(path) : null;
        if (h && h.pid === me.pid && h.host === me.host) rmSync(path, { force: true });
      },
    };
  }
  throw new Error(`${what}: could not take the lock ${path}`);
}
