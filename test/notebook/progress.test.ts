// What notebooks 03-05 call around training: progress in the cell, the run's summary line, and
// the seed models of notebooks 04 and 05. Outside a kernel, displays print their text.
import assert from "node:assert/strict";
import { before, describe, it, mock } from "node:test";
import { OneLineError } from "../../lib/core/interrupt";
import type { ProcessedDataset } from "../../lib/data/schema";
import { saveProcessed } from "../../lib/data/store";
import type { CvaeModel } from "../../lib/model/cvae-model";
import { type DisplayBundle, FIGURE_META } from "../../lib/notebook/display";
import { notebookCheaper, notebookProgress, notebookSeedModels, reportTrainingEnd, seedsCheaper } from "../../lib/notebook/progress";
import type { EpochRecord } from "../../lib/model/history";
import type { BatchProgress } from "../../lib/train/loop";
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

describe("notebookProgress(run, options) without training", () => {
  const p = (o: Partial<BatchProgress>): BatchProgress => ({
    epoch: 1,
    epochs: 3,
    batch: 1,
    batches: 10,
    loss: 600,
    beta: 0.008,
    seconds: 1,
    rowsPerSecond: 100,
    etaSeconds: 50,
    ...o,
  });
  const record = (epoch: number): EpochRecord => ({
    epoch,
    seconds: 10,
    rows: 1000,
    rowsPerSecond: 100,
    loss: 500,
    nll: 490,
    kl: 40,
    beta: 0.008,
    updates: 10 * epoch,
    validNdcgUnconditioned: 0.3,
    validNdcgConditioned: 0.4,
  });

  it("shows one ETA in the status at a time: the batch line's while an epoch trains, the epoch line's between epochs", async () => {
    let t = 0;
    const { lines } = await printed(async () => {
      const cb = notebookProgress(3, { now: () => t });
      for (let epoch = 1; epoch <= 2; epoch++) {
        for (let batch = 1; batch <= 10; batch++, t += 1000) cb.onBatch?.(p({ epoch, batch }));
        cb.onEpoch?.(record(epoch), [record(epoch)], 10);
      }
    });
    const statuses = lines.filter((l) => l.startsWith("epoch "));
    assert.ok(
      statuses.some((l) => /^epoch 1\/3 .*\nepoch 2\/3 +batch/.test(l)),
      statuses.join("\n---\n"),
    );
    for (const status of statuses) assert.equal(status.match(/ETA/g)?.length, 1, status);
  });

  it("redraws the curves at most once a second when epochs take milliseconds, and draws the last ones when training settles", async () => {
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: ((b: DisplayBundle, update: boolean) => void) | null };
    const figures: DisplayBundle[] = [];
    jupyter.lastWriteDisplayData = (b) => {
      if (b.metadata[FIGURE_META]) figures.push(b);
    };
    try {
      let t = 0;
      const cb = notebookProgress(50, { now: () => t });
      const history: EpochRecord[] = [];
      for (let epoch = 1; epoch <= 30; epoch++, t += 100) {
        history.push(record(epoch));
        cb.onEpoch?.(record(epoch), history, 10);
      }
      assert.equal(figures.length, 3, "epochs 1, 11 and 21 (one a second)");
      await cb.settle?.();
      assert.equal(figures.length, 4, "the last curves are drawn when training settles");
      await cb.settle?.();
      assert.equal(figures.length, 4, "and only once");
    } finally {
      jupyter.lastWriteDisplayData = null;
    }
  });

  it("says what is cheaper with the notebook's parameters, not CLI flags; early stopping only when the run can stop early", async () => {
    const expected = async (run: Parameters<typeof notebookProgress>[0]) => {
      const { lines } = await printed(async () => {
        const cb = notebookProgress(run, { now: () => 0 });
        for (let batch = 1; batch <= 5; batch++) cb.onBatch?.(p({ epochs: typeof run === "number" ? run : run.epochs, batch, seconds: 3 }));
      });
      return lines.filter((l) => l.startsWith("expected: "));
    };
    const paper = await expected({ epochs: 100, patience: 10, validateEvery: 1 });
    assert.equal(paper.length, 1);
    assert.match(
      paper[0],
      /for 100 epochs \(early stopping may end it sooner\); cheaper: preset: "quick" in the parameters cell \(5 epochs, /,
    );
    assert.doesNotMatch(paper[0], /--[a-z]/);
    const [noPatience] = await expected({ epochs: 100, patience: 0, validateEvery: 1 });
    assert.doesNotMatch(noPatience, /early stopping/);
    assert.match(noPatience, /cheaper: preset: "quick"/);
    const [short] = await expected(3);
    assert.doesNotMatch(short, /early stopping|cheaper/);
  });

  it("offers a seed model's notebook the seedTraining and seeds parameters, seeds: 1 even when its models are quick", () => {
    assert.equal(
      seedsCheaper({ epochs: 100, secondsPerEpoch: 12 }),
      'seedTraining: "quick" in the parameters cell (5 epochs, ~1 min 0 s a model), or seeds: 1 (this model only, no spread over seeds)',
    );
    assert.equal(seedsCheaper({ epochs: 5, secondsPerEpoch: 12 }), "seeds: 1 (this model only, no spread over seeds)");
    assert.equal(notebookCheaper({ epochs: 5, secondsPerEpoch: 12 }), null);
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
    const estimate = first.lines.find((l) => l.startsWith("expected: "));
    assert.match(estimate ?? "", /^expected: .* for 2 epochs; cheaper: seeds: 1 \(this model only/, "no early stopping with patience 0");
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
