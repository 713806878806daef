import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { allListening, hitStartRace, KernelClient, type KernelMessage, KernelStartRaceError } from "../../lib/runner/kernel";
import { tempDir } from "../helpers/temp";

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

describe("tslab's start race (KernelClient.start waits for every port, and replaces a kernel that hit it)", () => {
  it("is recognised in the kernel's output, as tslab prints it, and not in a healthy start", () => {
    const seen = [
      "UnhandledPromiseRejection: Error: Socket is blocked by a bind or unbind operation",
      "    at ZmqMessage.signAndSend (/x/node_modules/tslab/dist/jupyter.js:143:14) {",
      "  errno: 16,",
      "  code: 'EBUSY'",
    ].join("\n");
    assert.equal(hitStartRace(seen), true);
    assert.equal(hitStartRace(""), false);
    assert.equal(hitStartRace("tslab: TypeScript 5.0.4\n"), false);
  });

  it("allListening(ports) is true once every port accepts a connection, false while one does not", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const open = (server.address() as { port: number }).port;
    const closedServer = createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, "127.0.0.1", resolve));
    const closed = (closedServer.address() as { port: number }).port;
    await new Promise((resolve) => closedServer.close(resolve));
    try {
      assert.equal(await allListening([open]), true);
      assert.equal(await allListening([open, closed]), false);
      assert.equal(await allListening([]), true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("replaces a kernel that lost its shell socket, twice, then fails naming the race instead of waiting forever", async () => {
    const starts = join(tempDir("lost-shell-"), "starts.txt");
    const t0 = Date.now();
    await assert.rejects(
      KernelClient.start({
        cwd: NOTEBOOK_DIR,
        env: { LOST_SHELL_STARTS: starts },
        kernelScript: [join(__dirname, "..", "fixtures", "kernel-lost-shell.cjs")],
      }),
      (err: unknown) => err instanceof KernelStartRaceError && /lost its shell socket at start[\s\S]*EBUSY/.test(err.message),
    );
    assert.equal(readFileSync(starts, "utf8"), "start\nstart\nstart\n", "three kernels were started");
    assert.ok(Date.now() - t0 < 30_000, "each attempt ends at its first unanswered request");
  });
});
