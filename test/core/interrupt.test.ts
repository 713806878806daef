import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, it } from "node:test";
import { OneLineError, takeInterrupts } from "../../lib/core/interrupt";

const ROOT = join(__dirname, "..", "..");

describe("takeInterrupts(options)", () => {
  it("takes SIGINT from its listeners: the first interrupt calls onFirst only", () => {
    const calls: string[] = [];
    const before = (): void => void calls.push("previous");
    process.on("SIGINT", before);
    const release = takeInterrupts({ onFirst: () => calls.push("first"), onSecond: () => calls.push("second") });
    try {
      assert.equal(process.listeners("SIGINT").includes(before), false);
      process.emit("SIGINT", "SIGINT");
      assert.deepEqual(calls, ["first"]);
    } finally {
      release();
      process.off("SIGINT", before);
    }
  });

  it("passes a second interrupt to the previous listeners and gives them back", () => {
    const calls: string[] = [];
    const before = (): void => void calls.push("previous");
    process.on("SIGINT", before);
    const count = process.listenerCount("SIGINT");
    const release = takeInterrupts({ onFirst: () => calls.push("first"), onSecond: () => calls.push("second") });
    try {
      process.emit("SIGINT", "SIGINT");
      process.emit("SIGINT", "SIGINT");
      assert.deepEqual(calls, ["first", "second", "previous"]);
      assert.equal(process.listeners("SIGINT").includes(before), true);
      assert.equal(process.listenerCount("SIGINT"), count);
    } finally {
      release();
      process.off("SIGINT", before);
    }
  });

  it("release gives the listeners back once, however often it is called", () => {
    const before = (): void => undefined;
    process.on("SIGINT", before);
    const count = process.listenerCount("SIGINT");
    const release = takeInterrupts({ onFirst: () => undefined });
    release();
    release();
    assert.equal(process.listenerCount("SIGINT"), count);
    assert.equal(process.listeners("SIGINT").includes(before), true);
    process.off("SIGINT", before);
  });

  it("with no listener before, the first interrupt keeps the process alive and the second ends it as Node would", () => {
    const script = [
      `const { takeInterrupts } = require(${JSON.stringify(join(ROOT, "lib", "core", "interrupt.ts"))});`,
      // The second interrupt is sent from the first's handler: signal delivery is asynchronous, so a
      // timer racing it would order the lines by machine load.
      `const second = () => setTimeout(() => { console.log("alive"); process.kill(process.pid, "SIGINT"); }, 50);`,
      `takeInterrupts({ onFirst: () => { console.log("first"); second(); }, onSecond: () => console.log("second") });`,
      `process.kill(process.pid, "SIGINT");`,
      `setTimeout(() => console.log("still running"), 2000);`,
    ].join("\n");
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8", cwd: ROOT });
    assert.equal(r.stdout, "first\nalive\nsecond\n");
    assert.equal(r.signal, "SIGINT");
  });
});

describe("OneLineError", () => {
  it("prints as its message alone where errors are inspected (as tslab prints a failed cell), and is an Error", () => {
    const e = new OneLineError("training interrupted after epoch 1");
    assert.equal(inspect(e), "training interrupted after epoch 1");
    assert.ok(e instanceof Error);
    assert.match(String(e.stack), /at /, "the stack is still there for debuggers");
  });
});
