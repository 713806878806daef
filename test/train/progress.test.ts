import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EpochRecord } from "../../lib/model/history";
import { batchLine, epochLine, formatDuration, terminalProgress } from "../../lib/train/progress";

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
      "epoch 2/5  loss 512.346  beta 0.0080  valid nDCG@100 genre rows 0.4568, no condition 0.3123  12.3 s (405 rows/s)  ETA 1 min 30 s",
    );
    assert.equal(
      epochLine({ ...record, validNdcgUnconditioned: null, validNdcgConditioned: null }, 5, 0),
      "epoch 2/5  loss 512.346  beta 0.0080  12.3 s (405 rows/s)  ETA done",
    );
  });
  it("batchLine names the epoch, the batch, the running loss and the elapsed seconds", () => {
    assert.equal(
      batchLine({ epoch: 1, epochs: 3, batch: 4, batches: 10, loss: 600.5, beta: 0.008, seconds: 3.2 }),
      "epoch 1/3  batch 4/10  loss 600.500  beta 0.0080  3 s",
    );
  });
});

describe("terminalProgress(epochs, stream)", () => {
  it("writes one line per epoch and no batch bar when the stream is not a terminal", () => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const cb = terminalProgress(5, stream);
    cb.onBatch?.({ epoch: 1, epochs: 5, batch: 1, batches: 2, loss: 1, beta: 0, seconds: 0 });
    cb.onEpoch?.(record, [record], 90);
    cb.log?.("saved");
    assert.deepEqual(out, [`${epochLine(record, 5, 90)}\n`, "saved\n"]);
  });
});
