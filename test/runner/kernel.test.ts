import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { KernelClient, type KernelMessage } from "../../lib/runner/kernel";

const NOTEBOOK_DIR = join(__dirname, "..", "fixtures", "notebooks");

describe("KernelClient", () => {
  it("starts tslab, executes with type-checking and top-level await, interrupts, and shuts down", async () => {
    const kernel = await KernelClient.start({ cwd: NOTEBOOK_DIR, env: { MY_VAR: "from-env" } });
    try {
      const seen: KernelMessage[] = [];
      const ok = await kernel.execute(
        'const v: string = process.env.MY_VAR ?? "";\nawait new Promise((r) => setTimeout(r, 10));\nconsole.log(v);',
        (m) => seen.push(m),
      );
      assert.deepEqual(ok, { status: "ok", executionCount: 1 });
      assert.deepEqual(
        seen.map((m) => [m.header.msg_type, m.content.text]),
        [["stream", "from-env\n"]],
      );

      // A cell awaiting forever is interrupted the way Jupyter does it (SIGINT).
      const started = Date.now();
      const pending = kernel.execute("await new Promise(() => undefined);", () => undefined);
      setTimeout(() => kernel.interrupt(), 300);
      const interrupted = await pending;
      assert.equal(interrupted.status, "error");
      assert.ok(Date.now() - started < 5_000);
    } finally {
      await kernel.shutdown();
    }
  });

  it("fails fast with the kernel's own output when the kernel cannot start", async () => {
    await assert.rejects(
      KernelClient.start({ cwd: "/nonexistent-folder-for-test", startTimeoutMs: 5_000 }),
      /exited|did not become ready|ENOENT/,
    );
  });
});
