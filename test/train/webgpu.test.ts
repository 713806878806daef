// Training on the webgpu backend (on this machine's adapter; llvmpipe in CI) gives the numbers the
// CPU gives for the same seed, and its checkpoints are the CPU's: an interrupted GPU run finishes on the CPU.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../../lib/data/schema";
import { saveProcessed } from "../../lib/data/store";
import { modelDir } from "../../lib/model/checkpoint";
import { readCheckpointMeta } from "../../lib/train/checkpoint";
import { probeAdapter } from "../../lib/model/webgpu/device";
import { train } from "../../lib/train/loop";
import type { TrainConfig } from "../../lib/train/config";
import { tempDir } from "../helpers/temp";

process.env.CVAE_DATA_DIR = tempDir("train-webgpu-");
process.env.CVAE_BACKEND = "webgpu";
const ROOT = join(__dirname, "..", "..");
const FIXTURE = join(__dirname, "..", "fixtures", "ml-small");
const TINY: Partial<TrainConfig> = {
  dataset: "ml-small",
  hidden: 16,
  latent: 4,
  batchSize: 32,
  epochs: 3,
  patience: 0,
  workers: 0,
  seed: 11,
};
const FLAGS = ["--dataset", "ml-small", "--hidden", "16", "--latent", "4", "--batch-size", "32", "--epochs", "3"];
const MORE_FLAGS = ["--patience", "0", "--workers", "0", "--seed", "11", "--json"];

/** `cvae train` in a child process on a CPU backend (blas where it built, else cpu). */
function trainOnCpu(run: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "cvae.js"), "train", "--run", run, ...FLAGS, ...MORE_FLAGS], {
    env: { ...process.env, CVAE_BACKEND: "" },
    encoding: "utf8",
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

let ds: ProcessedDataset;
before(async () => {
  ds = preprocess(readMovieLens(FIXTURE), "ml-small");
  await saveProcessed(ds);
});

describe("train() on the webgpu backend", async () => {
  const probe = await probeAdapter();
  const skip = probe.ok ? false : `no WebGPU adapter here: ${probe.reason}`;
  const quiet = { handleSignals: false, resume: "never" as const };

  it("gives the CPU's validation nDCG@100 for the same seed, epoch by epoch, within 0.01", { skip }, async () => {
    const gpu = await train({ ...TINY, run: "gpu" }, { ...quiet, dataset: ds });
    assert.equal(gpu.backend.name, "webgpu");
    assert.equal(gpu.threads, 1);
    const cpu = trainOnCpu("cpu");
    assert.equal(cpu.status, 0, cpu.out);
    const reference = readCheckpointMeta(modelDir("cpu")).history;
    assert.equal(gpu.history.length, reference.length);
    gpu.history.forEach((h, i) => {
      const r = reference[i];
      assert.ok(Math.abs(h.loss - r.loss) < 1e-3 * r.loss, `epoch ${h.epoch}: loss ${h.loss} vs ${r.loss}`);
      const a = h.validNdcgConditioned as number;
      const b = r.validNdcgConditioned as number;
      assert.ok(Math.abs(a - b) < 0.01, `epoch ${h.epoch}: validation nDCG@100 ${a} on webgpu, ${b} on the CPU`);
    });
  });

  it("writes the CPU's checkpoint files: an interrupted GPU run resumes and finishes on the CPU", { skip }, async () => {
    let batches = 0;
    const cut = await train({ ...TINY, run: "moved" }, { ...quiet, dataset: ds, shouldStop: () => ++batches === 5 });
    assert.equal(cut.interrupted, true);
    const resumed = trainOnCpu("moved");
    assert.equal(resumed.status, 0, resumed.out);
    assert.match(resumed.out, /resuming .*moved after epoch 0 and 5 batches/);
    const done = readCheckpointMeta(modelDir("moved"));
    assert.equal(done.position.finished, true);
    assert.equal(done.history.length, 3);
    const whole = readCheckpointMeta(modelDir("cpu")).history; // the same run, uninterrupted on the CPU
    assert.ok(Math.abs((done.history[2].validNdcgConditioned as number) - (whole[2].validNdcgConditioned as number)) < 0.01);
  });
});
