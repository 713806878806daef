// Operating-system errors in words (issue 23, item 7). The tests run as root here, where chmod cannot
// provoke EACCES and no read-only mount is at hand, so EACCES, EROFS and ENOSPC are checked on errors
// shaped like Node's (code, syscall, path); EISDIR and ENOTDIR are provoked for real.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { describeOsError, explainOsError, FileSystemError, isOsError } from "../../lib/core/fs-errors";
import { tempDir } from "../helpers/temp";

/** An error as Node's fs throws it. */
function nodeError(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: some system text, ${syscall}${path ? ` '${path}'` : ""}`);
  Object.assign(err, { code, syscall, errno: -1 }, path ? { path } : {});
  return err;
}

/** What `run` throws. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error("nothing was thrown");
}

describe("describeOsError(err, context)", () => {
  it("says a folder read as a file is a folder, naming it and what was expected", () => {
    const dir = tempDir("oserr-");
    const err = thrown(() => readFileSync(dir));
    assert.ok(isOsError(err));
    assert.equal((err as NodeJS.ErrnoException).path, undefined, "Node's EISDIR from a read names no file");
    assert.equal(describeOsError(err, { path: dir, expected: "a JSON file" }), `${dir}: is a folder, expected a JSON file`);
    assert.equal(describeOsError(err, { path: dir, label: "--config x" }), "--config x: is a folder, expected a file");
  });

  it("names the file that stands where a folder was expected (ENOTDIR)", () => {
    const dir = tempDir("oserr-");
    writeFileSync(join(dir, "data"), "{}");
    const target = join(dir, "data", "raw", "x.csv");
    const err = thrown(() => writeFileSync(target, "x"));
    assert.ok(isOsError(err));
    assert.equal(describeOsError(err), `${target}: ${join(dir, "data")} is a file, not a folder`);
  });

  it("says a file given where a folder is listed is a file, and reads rm's SystemError (ERR_FS_EISDIR) as EISDIR", () => {
    const dir = tempDir("oserr-");
    writeFileSync(join(dir, "models"), "x");
    const listed = thrown(() => readdirSync(join(dir, "models")));
    assert.ok(isOsError(listed));
    assert.equal(describeOsError(listed), `${join(dir, "models")}: is a file, expected a folder`);
    const removed = thrown(() => rmSync(dir, { force: true }));
    assert.equal((removed as NodeJS.ErrnoException).code, "ERR_FS_EISDIR");
    assert.ok(isOsError(removed));
    assert.equal(describeOsError(removed, { expected: "a file" }), `${dir}: is a folder, expected a file`);
  });

  it("says permission denied, a read-only file system, a full disk and a missing file in words, naming the file", () => {
    assert.equal(
      describeOsError(nodeError("EACCES", "open", "/d/ratings.csv"), { expected: "a ratings file" }),
      "/d/ratings.csv: permission denied, expected a ratings file; check the permissions of the file and the folders above it",
    );
    assert.match(
      describeOsError(nodeError("EROFS", "mkdir", "/ro/data/raw")),
      /^\/ro\/data\/raw: is on a read-only file system; use a writable folder/,
    );
    assert.equal(
      describeOsError(nodeError("ENOSPC", "write"), { path: "/d/models/run/state.bin" }),
      "/d/models/run/state.bin: no space left on the device; free some space and run the command again",
    );
    assert.equal(describeOsError(nodeError("ENOENT", "open", "/d/x.json")), "/d/x.json: no such file or folder");
  });

  it("still says what went wrong and which call when the error names no file", () => {
    assert.equal(
      describeOsError(nodeError("ENOSPC", "write")),
      "no space left on the device; free some space and run the command again (ENOSPC from write; set CVAE_DEBUG=1 to see where)",
    );
    assert.equal(
      describeOsError(nodeError("EISDIR", "read")),
      "the file is a folder, expected a file (EISDIR from read; set CVAE_DEBUG=1 to see where)",
    );
  });
});

describe("explainOsError(err, context)", () => {
  it("turns a raw OS error into a FileSystemError that keeps the code and the path, and leaves other errors alone", () => {
    const raw = nodeError("EACCES", "open", "/d/.x.tmp-1-1");
    const err = explainOsError(raw, { path: "/d/x" });
    assert.ok(err instanceof FileSystemError);
    assert.equal(err.code, "EACCES");
    assert.equal(err.path, "/d/x");
    assert.equal(err.cause, raw);
    assert.match(err.message, /^\/d\/x: permission denied/);
    assert.equal(explainOsError(err), err, "not wrapped twice");
    const plain = new Error("not an OS error");
    assert.equal(explainOsError(plain), plain);
  });
});
