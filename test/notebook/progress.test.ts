// What notebooks 03-05 call around training: progress in the cell, the run's summary line, and
// the seed models of notebooks 04 and 05. Outside a kernel, displays print their text.
import assert from "node:assert/strict";
import { before, describe, it, mock } from "node:test";
import { OneLineError } from "../../lib/core/interrupt";
import type { ProcessedDataset } from "../../lib/data/schema";
import { saveProcessed } from "../../lib/data/store";
import type { CvaeModel } from "../../lib/model/cvae-model";
import { notebookProgress, notebookSeedModels, reportTrainingEnd } from "../../lib/notebook/progress";
import type { TrainConfig } from "../../lib/train/config";
import { train, type TrainResult } from "../../lib/train/loop";
import { smallDataset } from "../helpers/small-model";
import { tempDir } from "../helpers/temp";

process.env.CVAE_DATA_DIR = tempDir("progress-");
const TINY: Partial<TrainConfig> = {
  dataset: "ml-small",
  run: "nb",
  hidden: 16,
  latent: 4,
  batchSize: 32,
  epochs: 2,
  patience: 0,
  workers: 0,
};

/** What `f` printed with console.log, line by line. */
async function printed<T>(f: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const log = mock.method(console, "log", (...args: unknown[]) => lines.push(args.map(String).join(" ")));
  try {
    return { value: await f(), lines };
  } finally {
    log.mock.restore();
  }
}

let ds: ProcessedDataset;
let trained: TrainResult;
before(async () => {
  ds = smallDataset();
  await saveProcessed(ds);
  ({ value: trained } = await printed(() => train(TINY, { dataset: ds, handleSignals: false, callbacks: notebookProgress(2) })));
});

describe("notebookProgress(epochs) and reportTrainingEnd(result, hint)", () => {
  it("shows each epoch's line while training, and prints the run's summary at the end", async () => {
    const { lines } = await printed(() =>
      train({ ...TINY, run: "nb-progress" }, { dataset: ds, handleSignals: false, callbacks: notebookProgress(2), resume: "never" }),
    );
    assert.ok(lines.some((l) => /^epoch 1\/2 /.test(l)) && lines.some((l) => /^epoch 2\/2 /.test(l)), lines.join("\n"));
    const summary = await printed(async () => reportTrainingEnd(trained, "unused"));
    assert.equal(summary.lines.length, 1);
    assert.match(summary.lines[0], /^2 epochs in .* on \w+ with \d threads?; best epoch \d$/);
  });

  it("fails the cell with one line (no stack) when the training was interrupted", () => {
    const cut = { ...trained, interrupted: true } as TrainResult;
    assert.throws(
      () => reportTrainingEnd(cut, "set restart: false and run again"),
      (err: unknown) => {
        assert.ok(err instanceof OneLineError);
        assert.match(
          err.message,
          /^training interrupted after epoch 2 .*: checkpoint saved in \S+; set restart: false and run again to resume$/,
        );
        return true;
      },
    );
  });
});

describe("notebookSeedModels(ds, explored, { seeds, training })", () => {
  it("trains the missing seed models with progress in the cell, says which it trained, and reuses them the next time", async () => {
    const explored: CvaeModel = trained.model;
    const first = await printed(() => notebookSeedModels(ds, explored, { seeds: 2, training: "run" }));
    assert.deepEqual(
      first.value.map((m) => [m.run, m.trainedNow]),
      [
        ["nb", false],
        [`nb-seed${explored.config.seed + 1}`, true],
      ],
    );
    assert.equal(first.value[0].model, explored);
    assert.ok(
      first.lines.some((l) => /training seed model nb-seed\d+ \(1 of 1; 2 epochs/.test(l)),
      first.lines.join("\n"),
    );
    assert.ok(
      first.lines.some((l) => /^epoch 2\/2 /.test(l)),
      "the seed model's progress shows in the cell",
    );
    assert.match(first.lines.at(-1) ?? "", /^2 seed models: nb, nb-seed\d+ \(trained now\)$/);

    const second = await printed(() => notebookSeedModels(ds, explored, { seeds: 2, training: "run" }));
    assert.deepEqual(
      second.value.map((m) => m.trainedNow),
      [false, false],
    );
    assert.deepEqual(second.lines, [`2 seed models: nb, nb-seed${explored.config.seed + 1}`]);
  });

  it("rejects a training that is not quick, paper or run, naming it, before training anything", async () => {
    await assert.rejects(notebookSeedModels(ds, trained.model, { seeds: 2, training: "fast" }), /fast/);
  });
});
