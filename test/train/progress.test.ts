import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EpochRecord } from "../../lib/model/history";
import type { BatchProgress } from "../../lib/train/loop";
import { batchLine, epochLine, formatDuration, runEstimate, terminalProgress, trainingSummary } from "../../lib/train/progress";

const batch = (o: Partial<BatchProgress>): BatchProgress => ({
  epoch: 1,
  epochs: 3,
  batch: 4,
  batches: 10,
  loss: 600.5,
  beta: 0.008,
  seconds: 3.2,
  rowsPerSecond: 250.2,
  etaSeconds: 100,
  ...o,
});

const record: EpochRecord = {
  epoch: 2,
  seconds: 12.34,
  rows: 5000,
  rowsPerSecond: 405.2,
  loss: 512.3456,
  nll: 500,
  kl: 40,
  beta: 0.008,
  updates: 20,
  validNdcgUnconditioned: 0.31234,
  validNdcgConditioned: 0.45678,
};

describe("formatDuration(seconds)", () => {
  it("gives seconds below a minute, minutes and seconds below an hour, then hours and minutes", () => {
    assert.equal(formatDuration(42.4), "42 s");
    assert.equal(formatDuration(125), "2 min 5 s");
    assert.equal(formatDuration(3 * 3600 + 7 * 60), "3 h 7 min");
    assert.equal(formatDuration(NaN), "?");
  });
});

describe("epochLine and batchLine", () => {
  it("epochLine names the epoch, loss, beta, both validation nDCG@100, the speed and the ETA", () => {
    assert.equal(
      epochLine(record, 5, 90),
      "epoch 2/5  loss 512.346  beta 0.0080  valid nDCG@100 condition rows 0.4568, " +
        "no condition 0.3123  12.3 s (405 rows/s)  ETA 1 min 30 s",
    );
    assert.equal(
      epochLine({ ...record, validNdcgUnconditioned: null, validNdcgConditioned: null }, 5, 0),
      "epoch 2/5  loss 512.346  beta 0.0080  12.3 s (405 rows/s)  ETA done",
    );
  });
  it("batchLine names the epoch, the batch, the running loss, the elapsed seconds, the speed and the ETA", () => {
    assert.equal(batchLine(batch({ batch: 4 })), "epoch 1/3  batch 4/10  loss 600.500  beta 0.0080  3 s  250 rows/s  ETA 1 min 40 s");
  });
  it("runEstimate says once, after the first batches, what the whole run will take and what is cheaper", () => {
    assert.equal(runEstimate(batch({ batch: 4 })), null);
    assert.equal(
      runEstimate(batch({ batch: 5, seconds: 10, epochs: 100 })),
      "expected: ~20 s an epoch, ~33 min 20 s for 100 epochs (early stopping may end it sooner); " +
        "cheaper: fewer epochs (the quick preset trains 5, ~1 min 40 s), or --sampler balanced",
    );
    assert.equal(runEstimate(batch({ batch: 5, epoch: 2 })), null);
    assert.equal(
      runEstimate(batch({ batch: 5, epochs: 3, seconds: 10 })),
      "expected: ~20 s an epoch, ~1 min 0 s for 3 epochs (early stopping may end it sooner)",
    );
  });
});

describe("terminalProgress(epochs, stream)", () => {
  it("writes a batch line at least every 30 s when the stream is not a terminal", (t) => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const now = performance.now();
    const clock = t.mock.method(performance, "now", () => now);
    const cb = terminalProgress(5, stream);
    cb.onBatch?.(batch({ batch: 6 }));
    assert.deepEqual(out, []);
    clock.mock.mockImplementation(() => now + 31_000);
    cb.onBatch?.(batch({ batch: 7 }));
    assert.deepEqual(out, [`${batchLine(batch({ batch: 7 }))}\n`]);
  });

  it("writes one line per epoch and no batch bar when the stream is not a terminal", () => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const cb = terminalProgress(5, stream);
    cb.onBatch?.(batch({ batch: 1, batches: 2 }));
    cb.onEpoch?.(record, [record], 90);
    cb.log?.("saved");
    assert.deepEqual(out, [`${epochLine(record, 5, 90)}\n`, "saved\n"]);
  });
});

describe("trainingSummary(result, resumeHint)", () => {
  const result = {
    history: [{}],
    seconds: 75,
    backend: { name: "wasm" },
    threads: 2,
    bestEpoch: 1,
    interrupted: false,
    dir: "/d/models/r",
    config: { epochs: 5 },
  };
  it("says what ran, with one epoch in the singular", () => {
    assert.equal(trainingSummary(result as never, "x"), "1 epoch in 1 min 15 s on wasm with 2 threads; best epoch 1");
  });
  it("after an interrupt between epochs says where it stopped, that the checkpoint is saved and how to resume", () => {
    assert.equal(
      trainingSummary({ ...result, interrupted: true, interruptedAt: null } as never, "set restart: false"),
      "training interrupted after epoch 1 (1 of 5 epochs done in 1 min 15 s on wasm with 2 threads): " +
        "checkpoint saved in /d/models/r; set restart: false to resume",
    );
  });
  it("after an interrupt inside an epoch names the epoch and batch", () => {
    const at = { epoch: 2, batch: 3, batches: 10 };
    assert.match(
      trainingSummary({ ...result, interrupted: true, interruptedAt: at } as never, "x"),
      /^training interrupted in epoch 2 after batch 3\/10 \(1 of 5/,
    );
  });
});
