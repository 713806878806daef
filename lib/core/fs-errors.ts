// Errors of the operating system (EISDIR, ENOTDIR, EACCES, ENOENT, ENOSPC, EROFS, ...) in words
// that name the file and what was expected there. Node's own message ("EISDIR: illegal operation
// on a directory, read") names neither the file (for a read) nor what the program wanted.
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** An error thrown by a file-system call: it has an errno code like "EISDIR". */
export function isOsError(err: unknown): err is NodeJS.ErrnoException {
  const code = errnoOf(err);
  return err instanceof Error && code !== undefined && /^E[A-Z0-9]+$/.test(code) && ("syscall" in err || "info" in err);
}

/** The errno code: `code`, or for Node's SystemError (rm's ERR_FS_EISDIR) the one in `info`. */
function errnoOf(err: unknown): string | undefined {
  const e = err as (NodeJS.ErrnoException & { info?: { code?: unknown } }) | null;
  const code = typeof e?.info?.code === "string" ? e.info.code : e?.code;
  return typeof code === "string" ? code : undefined;
}

export interface OsErrorContext {
  /** The file the caller was working on (default: the error's own path). */
  path?: string;
  /** What should be there, e.g. "a JSON file" or "the data folder". */
  expected?: string;
  /** Said instead of the path, e.g. "--config some/dir". */
  label?: string;
}

function isFile(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The first folder on the way to `path` that is not a folder, or null. */
function fileInTheWay(path: string): string | null {
  for (let dir = dirname(resolve(path)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      if (!statSync(dir).isDirectory()) return dir;
    } catch {
      // not there (yet): look further up
    }
  }
  return null;
}

/** What `code` means for the file, as the end of a sentence that starts with its name. */
export function osErrorReason(code: string, path: string | undefined, expected?: string): string {
  const want = expected ? `, expected ${expected}` : "";
  switch (code) {
    case "EISDIR":
      return `is a folder${want || ", expected a file"}`;
    case "ENOTDIR": {
      if (path !== undefined && isFile(path)) return `is a file${want || ", expected a folder"}`;
      const blocker = path === undefined ? null : fileInTheWay(path);
      if (blocker) return `${blocker} is a file, not a folder${want}`;
      return `is not a folder (or a part of its path is a file)${want}`;
    }
    case "ENOENT":
      return `no such file or folder${want}`;
    case "EACCES":
    case "EPERM":
      return `permission denied${want}; check the permissions of the file and the folders above it`;
    case "EROFS":
      return `is on a read-only file system${want}; use a writable folder (CVAE_DATA_DIR for the data folder)`;
    case "ENOSPC":
      return "no space left on the device; free some space and run the command again";
    case "EDQUOT":
      return "the disk quota is exhausted; free some space and run the command again";
    case "EEXIST":
      return `already exists${want}`;
    case "ELOOP":
      return "has too many levels of symbolic links (a link loop?)";
    case "ENAMETOOLONG":
      return "the name is too long";
    case "EMFILE":
    case "ENFILE":
      return "too many open files; raise the limit (ulimit -n) or close other programs";
    case "EBUSY":
      return "is busy (in use by another program)";
    default:
      return `${code}${want}`;
  }
}

/**
 * "some/dir: is a folder, expected a JSON file" for an OS error, naming `context.path` (else the
 * error's own path). Without any path the sentence still says what went wrong and the system call.
 */
export function describeOsError(err: NodeJS.ErrnoException, context: OsErrorContext = {}): string {
  const code = errnoOf(err) ?? "EUNKNOWN";
  const path = context.path ?? err.path;
  const reason = osErrorReason(code, path, context.expected);
  const name = context.label ?? path;
  if (name !== undefined) return `${name}: ${reason}`;
  const sentence = /^(is|has|already) /.test(reason) ? `the file ${reason}` : reason;
  return `${sentence} (${code} from ${err.syscall ?? "a system call"}; set CVAE_DEBUG=1 to see where)`;
}

/** An OS error re-thrown in words; keeps `code` and `path`, so callers can still tell them apart. */
export class FileSystemError extends Error {
  readonly code: string;
  readonly path: string | undefined;
  constructor(err: NodeJS.ErrnoException, context: OsErrorContext = {}) {
    super(describeOsError(err, context), { cause: err });
    this.name = "FileSystemError";
    this.code = errnoOf(err) ?? "EUNKNOWN";
    this.path = context.path ?? err.path;
  }
}

/** `err` in words when it is a raw OS error, else `err` itself. */
export function explainOsError(err: unknown, context: OsErrorContext = {}): unknown {
  return isOsError(err) && !(err instanceof FileSystemError) ? new FileSystemError(err, context) : err;
}
