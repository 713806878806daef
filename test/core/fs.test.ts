import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  assertReplaceable,
  recoverDir,
  replaceDir,
  refuseNonFolder,
  requireRegularFile,
  sweepStaleTemps,
  writeDirAtomic,
  writeFileAtomic,
} from "../../lib/core/fs";
import { tempDir } from "../helpers/temp";

describe("writeFileAtomic(path, data)", () => {
  it("creates folders, writes the content and leaves no temp file", () => {
    const dir = tempDir("fsutil-");
    const path = join(dir, "a", "b.json");
    writeFileAtomic(path, "{}");
    writeFileAtomic(path, "[1]");
    assert.equal(readFileSync(path, "utf8"), "[1]");
    assert.deepEqual(readdirSync(join(dir, "a")), ["b.json"]);
  });

  it("names the target and what stands in the way when a file sits where its folder should be, or a folder where it should be", () => {
    const dir = tempDir("fsutil-");
    writeFileSync(join(dir, "data"), "x");
    assert.throws(() => writeFileAtomic(join(dir, "data", "raw", "a.json"), "{}"), {
      message: `${join(dir, "data", "raw")}: ${join(dir, "data")} is a file, not a folder, expected a folder for a.json`,
    });
    assert.throws(() => writeFileAtomic(join(dir, "data", "a.json"), "{}"), {
      message: `${join(dir, "data")}: is a file, expected a folder for a.json`,
    });
    mkdirSync(join(dir, "out.json"));
    assert.throws(() => writeFileAtomic(join(dir, "out.json"), "{}"), {
      code: "EISDIR",
      message: `${join(dir, "out.json")}: is a folder, expected a file`,
    });
    assert.deepEqual(readdirSync(dir).sort(), ["data", "out.json"], "no temp file is left");
  });
});

describe("refuseNonFolder(path, what, label)", () => {
  it("accepts a folder or nothing there, and refuses a file or a device by name", () => {
    const dir = tempDir("folder-");
    refuseNonFolder(dir);
    refuseNonFolder(join(dir, "not-yet"));
    writeFileSync(join(dir, "file"), "x");
    assert.throws(() => refuseNonFolder(join(dir, "file"), "a folder for reports", "--out file"), {
      message: "--out file: is a file, expected a folder for reports",
    });
    assert.throws(() => refuseNonFolder("/dev/null"), { message: "/dev/null: is a character device, expected a folder" });
  });
});

describe("requireRegularFile(path, what, label)", () => {
  it("accepts a regular file and a link to one", () => {
    const dir = tempDir("regular-");
    writeFileSync(join(dir, "a.csv"), "x");
    symlinkSync(join(dir, "a.csv"), join(dir, "link.csv"));
    requireRegularFile(join(dir, "a.csv"), "a ratings file");
    requireRegularFile(join(dir, "link.csv"), "a ratings file");
  });

  it("refuses a FIFO by name without opening it (which would block)", () => {
    const dir = tempDir("regular-");
    const fifo = join(dir, "ratings.csv");
    execFileSync("mkfifo", [fifo]);
    assert.throws(() => requireRegularFile(fifo, "a ratings file"), {
      message: `${fifo}: is a named pipe (FIFO), expected a ratings file; it was not read`,
    });
  });

  it("refuses /dev/zero and /dev/urandom as character devices, and a socket", async () => {
    for (const dev of ["/dev/zero", "/dev/urandom"]) {
      assert.throws(() => requireRegularFile(dev, "a JSON file", `--config ${dev}`), {
        message: `--config ${dev}: is a character device, expected a JSON file; it was not read`,
      });
    }
    const socket = join(tempDir("regular-"), "s.sock");
    const server = createServer();
    await new Promise<void>((done) => server.listen(socket, done));
    try {
      assert.throws(() => requireRegularFile(socket, "a zip file"), {
        message: `${socket}: is a socket, expected a zip file; it was not read`,
      });
    } finally {
      server.close();
    }
  });

  it("throws the caller's kind of error when given one, for a special file and an OS error alike", () => {
    class FlagError extends Error {}
    const make = (message: string): Error => new FlagError(message);
    assert.throws(() => requireRegularFile("/dev/zero", "a JSON file", "--config /dev/zero", make), FlagError);
    assert.throws(
      () => requireRegularFile("/no/such/file.json", "a JSON file", "--config x", make),
      (err) => err instanceof FlagError && err.message === "--config x: no such file or folder, expected a JSON file",
    );
  });

  it("says a folder is a folder and a missing file is missing, naming what was expected", () => {
    const dir = tempDir("regular-");
    assert.throws(() => requireRegularFile(dir, "a JSON file", "--config d"), { message: "--config d: is a folder, expected a JSON file" });
    assert.throws(() => requireRegularFile(join(dir, "nope.json"), "a JSON file"), {
      message: `${join(dir, "nope.json")}: no such file or folder, expected a JSON file`,
    });
  });
});

describe("writeDirAtomic(path, build)", () => {
  it("replaces the folder only when build succeeds", async () => {
    const dir = tempDir("fsutil-");
    const target = join(dir, "processed");
    await writeDirAtomic(target, (tmp) => writeFileSync(join(tmp, "x"), "1"));
    assert.equal(readFileSync(join(target, "x"), "utf8"), "1");
    await assert.rejects(
      writeDirAtomic(target, (tmp) => {
        writeFileSync(join(tmp, "x"), "2");
        throw new Error("disk full");
      }),
      /disk full/,
    );
    assert.equal(readFileSync(join(target, "x"), "utf8"), "1");
    assert.deepEqual(readdirSync(dir), ["processed"]);
  });
  it("leaves nothing behind when the first build fails", async () => {
    const dir = tempDir("fsutil-");
    await assert.rejects(
      writeDirAtomic(join(dir, "p"), () => Promise.reject(new Error("bad input"))),
      /bad input/,
    );
    assert.equal(existsSync(join(dir, "p")), false);
    assert.deepEqual(readdirSync(dir), []);
  });
});

/** Runs writeDirAtomic(target) in a child process that is SIGKILLed at `when` (between the renames, or while building). */
function killedWrite(target: string, when: "between" | "building"): void {
  const fs = JSON.stringify(join(__dirname, "..", "..", "lib", "core", "fs.ts"));
  const script = `
    const { writeDirAtomic } = require(${fs});
    const { writeFileSync } = require("node:fs");
    const { join } = require("node:path");
    writeDirAtomic(${JSON.stringify(target)}, (tmp) => {
      writeFileSync(join(tmp, "x"), "new");
      if (${JSON.stringify(when)} === "building") process.kill(process.pid, "SIGKILL");
    }, { betweenRenames: () => process.kill(process.pid, "SIGKILL") });`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8" });
  assert.equal(r.signal, "SIGKILL", r.stderr);
}

describe("writeDirAtomic and recoverDir under a kill at any moment", () => {
  it("a kill between the two renames leaves the new version beside the target, and the next read completes the swap", async () => {
    const dir = tempDir("fskill-");
    const target = join(dir, "run");
    await writeDirAtomic(target, (tmp) => writeFileSync(join(tmp, "x"), "old"));
    killedWrite(target, "between");
    assert.equal(existsSync(target), false, "the target is gone until recovery");
    assert.equal(readdirSync(dir).length, 2, "the new version and the old one lie beside it");
    recoverDir(target);
    assert.equal(readFileSync(join(target, "x"), "utf8"), "new");
    assert.deepEqual(readdirSync(dir), ["run"]);
  });

  it("a kill while building keeps the old version, and the next write sweeps the dead process's temp folder", async () => {
    const dir = tempDir("fskill-");
    const target = join(dir, "run");
    await writeDirAtomic(target, (tmp) => writeFileSync(join(tmp, "x"), "old"));
    killedWrite(target, "building");
    assert.equal(readFileSync(join(target, "x"), "utf8"), "old");
    assert.equal(readdirSync(dir).length, 2, "a stale temp folder is left by the kill");
    await writeDirAtomic(target, (tmp) => writeFileSync(join(tmp, "x"), "newer"));
    assert.deepEqual(readdirSync(dir), ["run"]);
    assert.equal(readFileSync(join(target, "x"), "utf8"), "newer");
  });

  it("rolls back to the old version when only it is left (the new one never landed)", () => {
    const dir = tempDir("fskill-");
    mkdirSync(join(dir, ".run.old-4200000-1"));
    writeFileSync(join(dir, ".run.old-4200000-1", "x"), "old");
    recoverDir(join(dir, "run"));
    assert.equal(readFileSync(join(dir, "run", "x"), "utf8"), "old");
  });

  it("leaves the parts of a live process alone", () => {
    const dir = tempDir("fskill-");
    mkdirSync(join(dir, `.run.tmp-${process.ppid}-1`));
    recoverDir(join(dir, "run"));
    sweepStaleTemps(dir);
    assert.deepEqual(readdirSync(dir), [`.run.tmp-${process.ppid}-1`]);
  });
});

describe("assertReplaceable(path)", () => {
  it("refuses the working directory, what contains it, the home folder, the project, the data folder and a folder holding .git", () => {
    assert.throws(() => assertReplaceable(process.cwd()), /refusing to replace/);
    assert.throws(() => assertReplaceable(join(process.cwd(), "..")), /refusing to replace/);
    assert.throws(() => assertReplaceable(homedir()), /refusing to replace/);
    assert.throws(() => assertReplaceable("/"), /refusing to replace/);
    const repo = tempDir("repo-");
    mkdirSync(join(repo, ".git"));
    assert.throws(() => assertReplaceable(repo), /holds a \.git folder/);
    assert.throws(() => assertReplaceable(join(tmpdir(), "x"), [join(tmpdir(), "x", "y")]), /refusing to replace/);
    assert.doesNotThrow(() => assertReplaceable(join(repo, "sub")));
  });

  it("writeDirAtomic refuses such a target and changes nothing", async () => {
    const repo = tempDir("repo-");
    mkdirSync(join(repo, ".git"));
    writeFileSync(join(repo, "keep"), "1");
    await assert.rejects(
      writeDirAtomic(repo, () => undefined),
      /holds a \.git folder; nothing was changed/,
    );
    assert.deepEqual(readdirSync(repo).sort(), [".git", "keep"]);
  });
});

describe("replaceDir(from, path)", () => {
  it("moves a finished folder over the target: the target holds the new files, neither the old one nor the source is left", async () => {
    const dir = tempDir("fsreplace-");
    await writeDirAtomic(join(dir, "run"), (tmp) => writeFileSync(join(tmp, "x"), "old"));
    await writeDirAtomic(join(dir, ".run.next"), (tmp) => writeFileSync(join(tmp, "x"), "new"));
    replaceDir(join(dir, ".run.next"), join(dir, "run"));
    assert.equal(readFileSync(join(dir, "run", "x"), "utf8"), "new");
    assert.deepEqual(readdirSync(dir), ["run"]);
  });

  it("a kill between its renames keeps the old version (recovered at the next read) and the source, to be moved again", async () => {
    const dir = tempDir("fsreplace-");
    await writeDirAtomic(join(dir, "run"), (tmp) => writeFileSync(join(tmp, "x"), "old"));
    await writeDirAtomic(join(dir, ".run.next"), (tmp) => writeFileSync(join(tmp, "x"), "new"));
    const [from, to] = [JSON.stringify(join(dir, ".run.next")), JSON.stringify(join(dir, "run"))];
    const script = `const { replaceDir } = require(${JSON.stringify(join(__dirname, "..", "..", "lib", "core", "fs.ts"))});
      replaceDir(${from}, ${to}, { betweenRenames: () => process.kill(process.pid, "SIGKILL") });`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8" });
    assert.equal(r.signal, "SIGKILL", r.stderr);
    assert.equal(existsSync(join(dir, "run")), false);
    recoverDir(join(dir, "run"));
    assert.equal(readFileSync(join(dir, "run", "x"), "utf8"), "old");
    assert.equal(readFileSync(join(dir, ".run.next", "x"), "utf8"), "new");
    replaceDir(join(dir, ".run.next"), join(dir, "run"));
    assert.equal(readFileSync(join(dir, "run", "x"), "utf8"), "new");
  });
});
