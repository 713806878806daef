import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { modelDir } from "../../lib/model/checkpoint";
import { evaluate } from "../../lib/evaluation/evaluate";
import { CvaeModel } from "../../lib/model/cvae-model";
import { readMovieLens } from "../../lib/data/movielens/movielens";
import { preprocess } from "../../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../../lib/data/schema";
import { saveProcessed } from "../../lib/data/store";
import { train } from "../../lib/train/loop";
import { stagingDir } from "../../lib/train/replace";
import { trainConfigOf } from "../../lib/train/checkpoint";
import type { TrainConfig } from "../../lib/train/config";
import { tempDir } from "../helpers/temp";

// All models and data of this file live in a temp data folder.
process.env.CVAE_DATA_DIR = tempDir("train-test-");
const FIXTURE = join(__dirname, "..", "fixtures", "ml-small");
// Tiny dimensions: the point is the mechanics, not the accuracy.
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

let ds: ProcessedDataset;
before(async () => {
  await tf.setBackend("cpu");
  ds = preprocess(readMovieLens(FIXTURE), "ml-small");
  await saveProcessed(ds);
});

const quiet = { handleSignals: false, resume: "never" as const };

describe("train(config, options)", () => {
  it("trains a tiny C-VAE: finite decreasing loss, validation each epoch, a checkpoint, no leaked tensors", async () => {
    const before = tf.memory().numTensors;
    const r = await train({ ...TINY, run: "basic" }, { ...quiet, dataset: ds });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(r.history.length, 3);
    assert.ok(r.history.every((h) => Number.isFinite(h.loss) && h.loss > 0));
    assert.ok(r.history[2].loss < r.history[0].loss, `loss ${r.history.map((h) => h.loss.toFixed(3))}`);
    assert.ok(r.history.every((h) => h.validNdcgConditioned !== null && h.validNdcgUnconditioned !== null));
    assert.equal(r.finished, true);
    assert.deepEqual(readdirSync(modelDir("basic")).sort(), ["best.bin", "checkpoint.json", "state.bin"]);
    assert.equal(r.model.params.length, r.model.layout.size);
  });

  it("is reproducible: the same seed gives identical weights, another seed different ones", async () => {
    const a = await train({ ...TINY, run: "seed-a", epochs: 2 }, { ...quiet, dataset: ds });
    const b = await train({ ...TINY, run: "seed-b", epochs: 2 }, { ...quiet, dataset: ds });
    const c = await train({ ...TINY, run: "seed-c", epochs: 2, seed: 12 }, { ...quiet, dataset: ds });
    assert.deepEqual(Array.from(a.model.params), Array.from(b.model.params));
    assert.deepEqual(
      a.history.map((h) => h.loss),
      b.history.map((h) => h.loss),
    );
    assert.notDeepEqual(Array.from(a.model.params.slice(0, 50)), Array.from(c.model.params.slice(0, 50)));
  });

  it("resumes an interrupted run mid-epoch and ends with the same weights and metrics as an uninterrupted run", async () => {
    const whole = await train({ ...TINY, run: "whole" }, { ...quiet, dataset: ds });
    let batches = 0;
    const cut = await train({ ...TINY, run: "cut" }, { ...quiet, dataset: ds, shouldStop: () => ++batches === 7 });
    assert.equal(cut.interrupted, true);
    assert.equal(cut.finished, false);
    const saved = JSON.parse(readFileSync(join(modelDir("cut"), "checkpoint.json"), "utf8"));
    assert.deepEqual(cut.interruptedAt, {
      epoch: saved.position.epoch + 1,
      batch: saved.position.batchInEpoch,
      batches: cut.interruptedAt?.batches,
    });
    assert.ok((cut.interruptedAt?.batches ?? 0) > saved.position.batchInEpoch);
    assert.ok(saved.position.batchInEpoch > 0, "the checkpoint records the position inside the epoch");
    const resumed = await train({ ...TINY, run: "cut" }, { handleSignals: false, dataset: ds });
    assert.deepEqual(resumed.resumedFrom, { epoch: saved.position.epoch, batch: saved.position.batchInEpoch });
    assert.deepEqual(Array.from(resumed.model.params), Array.from(whole.model.params));
    assert.deepEqual(
      resumed.history.map((h) => [h.loss, h.validNdcgConditioned]),
      whole.history.map((h) => [h.loss, h.validNdcgConditioned]),
    );
  });

  it("on SIGINT stops after the batch with the run saved and interrupted, logs it once, and gives SIGINT back", async () => {
    const previous = (): void => assert.fail("the previous SIGINT listener must not see the first interrupt");
    process.on("SIGINT", previous);
    const lines: string[] = [];
    let sent = false;
    const callbacks = {
      onBatch: () => {
        if (!sent) process.emit("SIGINT", "SIGINT");
        sent = true;
      },
      log: (line: string) => lines.push(line),
    };
    try {
      const r = await train({ ...TINY, run: "sigint", epochs: 2 }, { resume: "never", dataset: ds, callbacks });
      assert.equal(r.interrupted, true);
      assert.deepEqual(r.interruptedAt?.epoch, 1);
      assert.equal(r.interruptedAt?.batch, 1);
      assert.deepEqual(
        lines.filter((l) => /interrupt/.test(l)),
        ["interrupt: stopping after this batch and saving a checkpoint (interrupt again to stop at once)"],
      );
      const saved = JSON.parse(readFileSync(join(modelDir("sigint"), "checkpoint.json"), "utf8"));
      assert.equal(saved.position.batchInEpoch, 1);
      assert.equal(saved.position.finished, false);
      assert.deepEqual(process.listeners("SIGINT"), [previous]);
    } finally {
      process.off("SIGINT", previous);
    }
  });

  it("stops early after `patience` epochs without a better validation nDCG@100 and keeps the best weights", async () => {
    // A learning rate of ~0 leaves the weights (and so the metric) unchanged: no epoch improves on the first.
    const r = await train({ ...TINY, run: "early", epochs: 10, patience: 2, lr: 1e-12 }, { ...quiet, dataset: ds });
    assert.equal(r.stoppedEarly, true);
    assert.equal(r.history.length, 3);
    assert.equal(r.bestEpoch, 1);
  });

  it("trains a Mult-VAE (no conditions) on zero-condition rows only", async () => {
    const r = await train({ ...TINY, run: "mult", conditioned: false, epochs: 1 }, { ...quiet, dataset: ds });
    assert.equal(r.model.dims.conditions, 0);
    assert.equal(r.history[0].validNdcgConditioned, null);
    assert.equal(r.history[0].rows, ds.train.matrix.rows);
  });

  it("gives the same result on two threads, run twice (deterministic reduction order)", async () => {
    const a = await train({ ...TINY, run: "thr-a", epochs: 2, workers: 1 }, { ...quiet, dataset: ds });
    const b = await train({ ...TINY, run: "thr-b", epochs: 2, workers: 1 }, { ...quiet, dataset: ds });
    assert.equal(a.threads, 2);
    assert.deepEqual(Array.from(a.model.params), Array.from(b.model.params));
    const one = await train({ ...TINY, run: "thr-one", epochs: 2 }, { ...quiet, dataset: ds });
    const worst = a.model.params.reduce((w, v, i) => Math.max(w, Math.abs(v - one.model.params[i])), 0);
    assert.ok(worst < 1e-3, `one vs two threads differ by ${worst} (only float summation order differs)`);
  });

  it("rejects bad configs before writing anything", async () => {
    for (const [bad, message] of [
      [{ dropuot: 0.5 }, /unknown key "dropuot"/],
      [{ dropout: 1 }, /dropout must be in \[0, 1\)/],
      [{ batchSize: 0 }, /batchSize must be a positive integer/],
      [{ latent: 32, hidden: 16 }, /latent must not exceed hidden \(16\)/],
    ] as const) {
      await assert.rejects(train({ ...TINY, run: "bad", ...bad } as Partial<TrainConfig>, { ...quiet, dataset: ds }), message);
    }
    assert.equal(existsSync(modelDir("bad")), false);
  });
});

describe("checkpoints and CvaeModel.load(run, ds)", () => {
  it("load the best weights in a fresh process that scores exactly like this one", async () => {
    const r = await train({ ...TINY, run: "fresh" }, { ...quiet, dataset: ds });
    const here = await evaluate(ds, "test", (b, k) => r.model.rank(b, k), { conditioned: true });
    const script = `
      const tf = require("@tensorflow/tfjs");
      const { CvaeModel } = require("./lib/model/cvae-model.ts");
      const { loadProcessed } = require("./lib/data/store.ts");
      const { evaluate } = require("./lib/evaluation/evaluate.ts");
      (async () => {
        await tf.setBackend("cpu");
        const ds = loadProcessed("ml-small");
        const model = CvaeModel.load("fresh", ds);
        const res = await evaluate(ds, "test", (b, k) => model.rank(b, k), { conditioned: true });
        console.log(JSON.stringify(res));
      })();`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
      cwd: join(__dirname, "..", ".."),
      encoding: "utf8",
      env: process.env,
    });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim().split("\n").pop() as string), JSON.parse(JSON.stringify(here)));
  });

  it("refuse a model trained on another data set (vocabulary mismatch)", async () => {
    await train({ ...TINY, run: "other", epochs: 1 }, { ...quiet, dataset: ds });
    const other = preprocess(readMovieLens(FIXTURE), "ml-small-seed", { seed: 4242, heldout: 30 });
    assert.throws(
      () => CvaeModel.load("other", other),
      /trained on data set "ml-small" \(146 items, \d+ genres\), not on "ml-small-seed" \(145 items/,
    );
  });

  it("report a corrupt checkpoint clearly and never overwrite it", async () => {
    await train({ ...TINY, run: "corrupt", epochs: 1 }, { ...quiet, dataset: ds });
    const dir = modelDir("corrupt");
    truncateSync(join(dir, "state.bin"), 1000);
    assert.throws(() => CvaeModel.load("corrupt"), /state\.bin: corrupt \(1000 bytes, \d+ recorded\)/);
    const before = statSync(join(dir, "state.bin")).mtimeMs;
    await assert.rejects(train({ ...TINY, run: "corrupt", epochs: 2 }, { handleSignals: false, dataset: ds }), /state\.bin: corrupt/);
    assert.equal(statSync(join(dir, "state.bin")).mtimeMs, before);
    writeFileSync(join(dir, "checkpoint.json"), "{ not json");
    assert.throws(() => CvaeModel.load("corrupt"), /checkpoint\.json: not valid JSON/);
  });

  it("catches damaged weights of the right size by their checksum, naming the file", async () => {
    await train({ ...TINY, run: "flipped", epochs: 1 }, { ...quiet, dataset: ds });
    const path = join(modelDir("flipped"), "best.bin");
    const bytes = readFileSync(path);
    bytes.fill(0, 100, 200); // zeroes: finite, plausible weights
    writeFileSync(path, bytes);
    assert.throws(() => CvaeModel.load("flipped"), /best\.bin: corrupt \(CRC-32 [0-9a-f]{8}, [0-9a-f]{8} recorded\)/);
  });

  it("names the file and the field of a checkpoint.json with a missing or mistyped field", async () => {
    await train({ ...TINY, run: "fields", epochs: 1 }, { ...quiet, dataset: ds });
    const path = join(modelDir("fields"), "checkpoint.json");
    const meta = JSON.parse(readFileSync(path, "utf8"));
    writeFileSync(path, JSON.stringify({ ...meta, dims: { ...meta.dims, hidden: "16" } }));
    assert.throws(() => CvaeModel.load("fields"), /checkpoint\.json: dims\.hidden must be an integer, got "16"/);
    const { position: _p, ...noPosition } = meta;
    writeFileSync(path, JSON.stringify(noPosition));
    assert.throws(() => CvaeModel.load("fields"), /checkpoint\.json: position must be an object, got nothing \(missing\)/);
  });

  it("refuses to replace a finished run unless restarted, and says how", async () => {
    const first = await train({ ...TINY, run: "done", epochs: 1 }, { ...quiet, dataset: ds });
    assert.equal(first.finished, true);
    const before = readFileSync(join(modelDir("done"), "best.bin"));
    await assert.rejects(
      train({ ...TINY, run: "done", epochs: 1, lr: 0.01 }, { handleSignals: false, dataset: ds }),
      /holds a finished run \(1 epoch, best epoch 1, saved .*\); train with restart/,
    );
    assert.ok(readFileSync(join(modelDir("done"), "best.bin")).equals(before), "the finished run is untouched");
    const again = await train({ ...TINY, run: "done", epochs: 1, lr: 0.01 }, { ...quiet, dataset: ds });
    assert.equal(again.config.lr, 0.01);
  });

  it("keeps a finished model while a restart trains, when the restart is interrupted, and resumes the staged run", async () => {
    const first = await train({ ...TINY, run: "kept", epochs: 1 }, { ...quiet, dataset: ds });
    assert.equal(first.finished, true);
    const finishedBest = readFileSync(join(modelDir("kept"), "best.bin"));
    const lines: string[] = [];
    let n = 0;
    const stopped = await train(
      { ...TINY, run: "kept", epochs: 2, lr: 0.01 },
      { ...quiet, dataset: ds, shouldStop: () => ++n === 2, callbacks: { log: (l) => lines.push(l) } },
    );
    assert.equal(stopped.interrupted, true);
    assert.equal(stopped.keptFinished, true);
    assert.equal(stopped.checkpointDir, stagingDir("kept"));
    assert.ok(readFileSync(join(modelDir("kept"), "best.bin")).equals(finishedBest), "the finished model is untouched");
    assert.equal(trainConfigOf(CvaeModel.load("kept", ds).config).lr, TINY.lr ?? 0.001, "the finished model still loads as it was");
    assert.ok(
      lines.some((l) => /finished model in .*kept stays until this training finishes/.test(l)),
      lines.join("\n"),
    );
    // A resume ("auto") continues the staged run and swaps it in when it finishes.
    const resumed = await train({ ...TINY, run: "kept", epochs: 2, lr: 0.01 }, { handleSignals: false, dataset: ds });
    assert.deepEqual(resumed.resumedFrom, stopped.interruptedAt ? { epoch: 0, batch: stopped.interruptedAt.batch } : null);
    assert.equal(resumed.finished, true);
    assert.equal(resumed.checkpointDir, modelDir("kept"));
    assert.equal(existsSync(stagingDir("kept")), false, "the staging folder is gone");
    assert.equal(trainConfigOf(CvaeModel.load("kept", ds).config).lr, 0.01, "the new training replaced the model");
    assert.ok(!readFileSync(join(modelDir("kept"), "best.bin")).equals(finishedBest));
  });

  it("drops a staged retraining when restarted again, and replaces the finished model only when that one finishes", async () => {
    await train({ ...TINY, run: "twice", epochs: 1 }, { ...quiet, dataset: ds });
    let n = 0;
    await train({ ...TINY, run: "twice", epochs: 2, lr: 0.01 }, { ...quiet, dataset: ds, shouldStop: () => ++n === 2 });
    assert.ok(existsSync(stagingDir("twice")));
    const again = await train({ ...TINY, run: "twice", epochs: 1, lr: 0.02 }, { ...quiet, dataset: ds });
    assert.equal(again.resumedFrom, null, "a restart starts over, also over a staged run");
    assert.equal(again.keptFinished, true);
    assert.equal(existsSync(stagingDir("twice")), false);
    assert.equal(trainConfigOf(CvaeModel.load("twice", ds).config).lr, 0.02);
  });

  it("refuses a second training of the same run while the first holds its lock, and takes over a dead process's lock", async () => {
    const lockPath = join(modelDir("locked"), "..", ".locked.lock");
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, host: hostname(), since: "now" }));
    await assert.rejects(train({ ...TINY, run: "locked", epochs: 1 }, { ...quiet, dataset: ds }), /run "locked" is in use by process \d+/);
    writeFileSync(lockPath, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: "long ago" }));
    const lines: string[] = [];
    const r = await train({ ...TINY, run: "locked", epochs: 1 }, { ...quiet, dataset: ds, callbacks: { log: (l) => lines.push(l) } });
    assert.equal(r.finished, true);
    assert.ok(
      lines.some((l) => /took over the lock of locked from process 4206649/.test(l)),
      lines.join("\n"),
    );
    assert.equal(existsSync(lockPath), false, "the lock is released");
  });

  it("refuse to resume an unfinished run under another config, naming the differences", async () => {
    let n = 0;
    await train({ ...TINY, run: "cfg" }, { ...quiet, dataset: ds, shouldStop: () => ++n === 2 });
    await assert.rejects(
      train({ ...TINY, run: "cfg", lr: 0.01 }, { handleSignals: false, dataset: ds }),
      /holds an unfinished run with another config \(lr: 0\.001 there, 0\.01 now\)/,
    );
    await assert.rejects(
      train({ ...TINY, run: "cfg", hidden: 32 }, { handleSignals: false, dataset: ds }),
      /holds an unfinished run with another config \(hidden: 16 there, 32 now\)/,
      "another model size is named by its setting, not as weights of the wrong size",
    );
  });

  it("reports a finished run asked for another model size as finished, naming the setting, and leaves it", async () => {
    await train({ ...TINY, run: "sized", epochs: 1 }, { ...quiet, dataset: ds });
    const before = readFileSync(join(modelDir("sized"), "best.bin"));
    await assert.rejects(
      train({ ...TINY, run: "sized", epochs: 1, hidden: 600, latent: 200 }, { handleSignals: false, dataset: ds }),
      /sized holds a finished run \(1 epoch, best epoch 1, saved [^;]+; asked now: hidden: 16 there, 600 now; latent: 4 there, 200 now\)/,
    );
    assert.ok(readFileSync(join(modelDir("sized"), "best.bin")).equals(before));
  });

  it("never trains over a run folder holding weights but no checkpoint.json (notebooks too), naming it and both ways out", async () => {
    await train({ ...TINY, run: "orphan", epochs: 1 }, { ...quiet, dataset: ds });
    const dir = modelDir("orphan");
    rmSync(join(dir, "checkpoint.json"));
    const before = readFileSync(join(dir, "best.bin"));
    const wayOut = /orphan holds best\.bin, state\.bin but no checkpoint\.json.*restore checkpoint\.json, or train with --restart/;
    await assert.rejects(train({ ...TINY, run: "orphan", epochs: 1 }, { handleSignals: false, dataset: ds }), wayOut);
    assert.ok(readFileSync(join(dir, "best.bin")).equals(before), "the weights stay");
    assert.equal(existsSync(join(dir, "checkpoint.json")), false);
    // The same for a retraining waiting in the staging folder: it is not dropped as an empty leftover.
    const staged = stagingDir("orphan");
    renameSync(dir, staged);
    await assert.rejects(
      train({ ...TINY, run: "orphan", epochs: 1 }, { handleSignals: false, dataset: ds }),
      /\.orphan\.next holds best\.bin/,
    );
    assert.ok(readFileSync(join(staged, "best.bin")).equals(before));
    const restarted = await train({ ...TINY, run: "orphan", epochs: 1 }, { ...quiet, dataset: ds });
    assert.equal(restarted.finished, true, "a restart replaces both");
    assert.equal(existsSync(staged), false);
  });

  it("keeps weights without checkpoint.json while a restart (notebook 03's default) trains, replacing them when it finishes", async () => {
    await train({ ...TINY, run: "orphan2", epochs: 1 }, { ...quiet, dataset: ds });
    const dir = modelDir("orphan2");
    rmSync(join(dir, "checkpoint.json"));
    const before = readFileSync(join(dir, "best.bin"));
    const lines: string[] = [];
    let n = 0;
    const stopped = await train(
      { ...TINY, run: "orphan2", epochs: 1 },
      { ...quiet, dataset: ds, shouldStop: () => ++n === 2, callbacks: { log: (l) => lines.push(l) } },
    );
    assert.equal(stopped.interrupted, true);
    assert.ok(
      lines.some((l) => /the files in .*orphan2 stay until this training finishes, and are replaced then/.test(l)),
      lines.join("\n"),
    );
    assert.ok(readFileSync(join(dir, "best.bin")).equals(before), "the weights stay while the restart is unfinished");
    const resumed = await train({ ...TINY, run: "orphan2", epochs: 1 }, { handleSignals: false, dataset: ds });
    assert.equal(resumed.finished, true);
    assert.ok(
      existsSync(join(dir, "checkpoint.json")) && !existsSync(stagingDir("orphan2")),
      "the finished restart took the folder's place",
    );
  });

  it("names the missing file of a finished or unfinished run instead of training over it", async () => {
    await train({ ...TINY, run: "partial", epochs: 1 }, { ...quiet, dataset: ds });
    rmSync(join(modelDir("partial"), "state.bin"));
    await assert.rejects(
      train({ ...TINY, run: "partial", epochs: 1 }, { handleSignals: false, dataset: ds }),
      /partial\/state\.bin: missing; the checkpoint is incomplete; restore state\.bin, or train the run again \(cvae train --restart\)/,
    );
  });
});
