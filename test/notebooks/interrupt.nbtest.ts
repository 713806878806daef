// Notebook tier: interrupting notebook 03's training cell in the tslab kernel, the way Jupyter's
// stop button does (SIGINT), ends the cell with one line (checkpoint saved, how to resume) and no
// stack trace, fails the cell so that "Run All" stops, and leaves the kernel usable.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { projectRoot } from "../../lib/core/paths";
import { joinSource, readNotebook } from "../../lib/runner/ipynb";
import { KernelClient, type KernelMessage } from "../../lib/runner/kernel";
import { tempDir } from "../helpers/temp";

const ROOT = projectRoot();

describe("interrupting the training cell of notebook 03 in the tslab kernel", () => {
  it(
    "ends the cell with one line saying the checkpoint is saved and how to resume, and the kernel goes on",
    { timeout: 5 * 60_000 },
    async () => {
      const data = tempDir("interrupt-data-");
      const env = { ...process.env, CVAE_DATA_DIR: data };
      const prep = spawnSync(process.execPath, [join(ROOT, "bin", "cvae.js"), "data", "prepare", "synthetic-tiny"], {
        env,
        encoding: "utf8",
      });
      assert.equal(prep.status, 0, prep.stderr);

      const cells = readNotebook(join(ROOT, "notebooks", "03-training.ipynb"))
        .cells.filter((c) => c.cell_type === "code")
        .map((c) => joinSource(c.source));
      const trainingCell = cells.findIndex((code) => code.includes("await train("));
      assert.ok(trainingCell > 0, "notebook 03 has a training cell");
      const kernel = await KernelClient.start({
        cwd: join(ROOT, "notebooks"),
        env: { CVAE_DATA_DIR: data, CVAE_NB_PARAMS: JSON.stringify({ dataset: "synthetic-tiny", epochs: 40 }), NO_COLOR: "1" },
      });
      try {
        for (const code of cells.slice(0, trainingCell)) {
          const reply = await kernel.execute(code, () => undefined, 120_000);
          assert.equal(reply.status, "ok", code);
        }
        const streams: Record<string, string> = { stdout: "", stderr: "" };
        let interrupted = false;
        const onOutput = (m: KernelMessage) => {
          if (m.header.msg_type === "stream") streams[String(m.content.name)] += String(m.content.text);
          // Interrupt inside the first epoch, once its batch line shows.
          if (!interrupted && /epoch 1\/40 {2}batch/.test(JSON.stringify(m.content))) {
            interrupted = true;
            kernel.interrupt();
          }
        };
        const reply = await kernel.execute(cells[trainingCell], onOutput, 240_000);
        assert.equal(interrupted, true, "the batch line was shown");
        assert.equal(reply.status, "error", "the cell fails, so that Run All stops before the cells that use the model");
        const errorLines = streams.stderr.trim().split("\n");
        assert.equal(errorLines.length, 1, `one line on stderr, got:\n${streams.stderr}`);
        const expected = new RegExp(
          String.raw`^training interrupted in epoch 1 after batch \d+/\d+ \(0 of 40 epochs done in .* on \w+ with \d threads?\): ` +
            String.raw`checkpoint saved in \S+cvae-synthetic-tiny; ` +
            String.raw`set restart: false in the parameters cell and run the notebook again to resume$`,
        );
        assert.match(errorLines[0], expected);
        assert.doesNotMatch(streams.stdout + streams.stderr, /^\s+at /m, "no stack trace");
        assert.match(streams.stdout, /interrupt: stopping after this batch and saving a checkpoint/);
        const checkpoint = JSON.parse(readFileSync(join(data, "models", "cvae-synthetic-tiny", "checkpoint.json"), "utf8"));
        assert.equal(checkpoint.position.finished, false);
        assert.ok(checkpoint.position.batchInEpoch > 0);

        // The kernel runs the next cell (after the 200 ms in which tslab aborts cells queued behind a failed
        // one: that is what stops Run All), and an interrupt outside training is tslab's again.
        await new Promise((resolve) => setTimeout(resolve, 400));
        const next = await kernel.execute("1 + 1", () => undefined, 30_000);
        assert.equal(next.status, "ok");
        const pending = kernel.execute("await new Promise(() => undefined);", () => undefined, 30_000);
        setTimeout(() => kernel.interrupt(), 300);
        assert.equal((await pending).status, "error");
      } finally {
        await kernel.shutdown();
      }
    },
  );
});
