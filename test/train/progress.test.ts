import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EpochRecord } from "../../lib/model/history";
import type { BatchProgress } from "../../lib/train/loop";
import {
  batchLine,
  canStopEarly,
  cliCheaper,
  epochLine,
  formatDuration,
  RunClock,
  runEstimate,
  terminalProgress,
  trainingSummary,
} from "../../lib/train/progress";

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
  it("epochLine leaves the ETA out when given none", () => {
    assert.equal(
      epochLine({ ...record, validNdcgUnconditioned: null, validNdcgConditioned: null }, 5, null),
      "epoch 2/5  loss 512.346  beta 0.0080  12.3 s (405 rows/s)",
    );
  });
});

describe("runEstimate(p, secondsPerBatch, run, cheaper)", () => {
  const paper = { epochs: 100, patience: 10, validateEvery: 1 };
  it("says what the whole run takes at the clock's rate, and what is cheaper in the caller's words", () => {
    assert.equal(
      runEstimate(batch({ batch: 5, seconds: 10, epochs: 100 }), 1.5, paper, cliCheaper),
      "expected: ~15 s an epoch, ~25 min 0 s for 100 epochs (early stopping may end it sooner); " +
        "cheaper: --preset quick (5 epochs, ~1 min 15 s, a smoke run), or --sampler balanced",
    );
    assert.equal(
      runEstimate(batch({ batch: 5, epochs: 100 }), 1.5, paper, () => 'preset: "quick"'),
      'expected: ~15 s an epoch, ~25 min 0 s for 100 epochs (early stopping may end it sooner); cheaper: preset: "quick"',
    );
  });
  it("measures from the batches' own time when the clock has no rate yet, and offers nothing cheaper for a short run", () => {
    assert.equal(
      runEstimate(batch({ batch: 5, epochs: 3, seconds: 10 }), NaN, 3, cliCheaper),
      "expected: ~20 s an epoch, ~1 min 0 s for 3 epochs",
    );
  });
  it("says early stopping may end the run sooner only when its patience can stop it before the budget", () => {
    const say = (run: Parameters<typeof runEstimate>[2]) => /early stopping/.test(runEstimate(batch({ batch: 5, epochs: 100 }), 1, run));
    assert.equal(say(paper), true);
    assert.equal(say({ ...paper, patience: 0 }), false, "patience 0: never");
    assert.equal(say({ ...paper, epochs: 8 }), false, "patience 10 of 8 epochs: never");
    assert.equal(say(100), false, "stopping rule unknown: nothing said");
  });
});

describe("canStopEarly(run)", () => {
  it("is true when the first validation and `patience` more without a better one come before the last epoch", () => {
    assert.equal(canStopEarly({ epochs: 12, patience: 10, validateEvery: 1 }), true);
    assert.equal(canStopEarly({ epochs: 11, patience: 10, validateEvery: 1 }), false, "the earliest stop is the last epoch");
    assert.equal(canStopEarly({ epochs: 5, patience: 10, validateEvery: 1 }), false);
    assert.equal(canStopEarly({ epochs: 16, patience: 2, validateEvery: 5 }), true);
    assert.equal(canStopEarly({ epochs: 15, patience: 2, validateEvery: 5 }), false);
    assert.equal(canStopEarly({ epochs: 100, patience: 0, validateEvery: 1 }), false);
    assert.equal(canStopEarly(100), false);
  });
});

describe("RunClock", () => {
  it("makes the expected time due once, in the first epoch, after 5 batches and 2 s of it, or at its end", () => {
    const clock = new RunClock(() => 0);
    const due = (o: Partial<BatchProgress>) => clock.estimateDue(batch(o));
    assert.equal(due({ batch: 4, seconds: 9 }), false, "fewer than 5 batches");
    assert.equal(due({ batch: 5, seconds: 1 }), false, "less than 2 s: the first batches still warm up");
    assert.equal(due({ batch: 6, seconds: 2.1 }), true);
    assert.equal(due({ batch: 7, seconds: 3 }), false, "said once");
    const later = new RunClock(() => 0);
    assert.equal(later.estimateDue(batch({ epoch: 2, batch: 5, seconds: 9 })), false, "not after the first epoch");
    const short = new RunClock(() => 0);
    assert.equal(short.estimateDue(batch({ batch: 2, batches: 2, seconds: 0.1 })), true, "a short first epoch: at its end");
  });

  it("gives batch and epoch lines one estimate: wall seconds a batch since the first batch, times the batches left", () => {
    let t = 0;
    const clock = new RunClock(() => t);
    // 3 epochs of 10 batches; the first batch (its warm-up) is the clock's start, then 1 s a batch.
    assert.ok(Number.isNaN(clock.batch(batch({ epoch: 1, epochs: 3, batch: 1, etaSeconds: 777 }))), "one warm-up batch: no estimate yet");
    assert.ok(Number.isNaN(clock.secondsPerBatch()));
    for (let b = 2; b <= 10; b++) {
      t += 1000;
      const left = clock.batch(batch({ epoch: 1, epochs: 3, batch: b, etaSeconds: 1 }));
      assert.equal(left, 10 - b + 20, `batch ${b}`);
    }
    // Validation takes 9 s: the epoch's ETA counts it, 18 s over 9 batches = 2 s a batch, 20 batches left.
    t += 9000;
    assert.equal(clock.epoch({ ...record, epoch: 1 }, 123), 40);
    t += 2000;
    assert.equal(clock.batch(batch({ epoch: 2, epochs: 3, batch: 1, etaSeconds: 1 })), 2 * 19, "the next batch goes on from it");
    assert.equal(clock.epoch({ ...record, epoch: 3 }, 0), 0, "finished: none left");
  });
});

describe("terminalProgress(run, stream)", () => {
  it("writes a batch line at least every 30 s when the stream is not a terminal, with the clock's ETA", (t) => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const now = performance.now();
    const clock = t.mock.method(performance, "now", () => now);
    const cb = terminalProgress(5, stream);
    cb.onBatch?.(batch({ epoch: 2, batch: 6 }));
    assert.deepEqual(out, []);
    clock.mock.mockImplementation(() => now + 31_000);
    cb.onBatch?.(batch({ epoch: 2, batch: 7 }));
    // 31 s for one batch, 3 + 10 batches left.
    assert.deepEqual(out, [`${batchLine(batch({ epoch: 2, batch: 7, etaSeconds: 31 * 13 }))}\n`]);
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

  it("on a terminal, shows the ETA on the bar only, not on the epoch lines above it, until the run is done", () => {
    const out: string[] = [];
    const stream = { isTTY: true, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    let t = 0;
    const cb = terminalProgress(2, stream, { now: () => t });
    for (let b = 1; b <= 2; b++, t += 1000) cb.onBatch?.(batch({ epoch: 1, epochs: 2, batch: b, batches: 2 }));
    cb.onEpoch?.({ ...record, epoch: 1 }, [record], 5);
    cb.onBatch?.(batch({ epoch: 2, epochs: 2, batch: 1, batches: 2 }));
    cb.onEpoch?.({ ...record, epoch: 2 }, [record], 0);
    const lines = out.map((s) => s.split("\u001b[K").join("").split("\r").join("").trim());
    const epochs = lines.filter((l) => l.startsWith("epoch") && !/batch/.test(l));
    assert.equal(epochs.length, 2, lines.join("\n"));
    assert.doesNotMatch(epochs[0], /ETA/);
    assert.match(epochs[1], /ETA done$/);
    const bars = lines.filter((l) => l.startsWith("["));
    assert.ok(bars.length >= 2, lines.join("\n"));
    for (const bar of bars) assert.equal(bar.match(/ETA/g)?.length, 1, bar);
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
  it("names the adapter a webgpu run trained on, and whether it is software", () => {
    const adapter = { description: "NVIDIA H200", device: "h200", software: false };
    const gpu = { ...result, backend: { name: "webgpu", adapter }, threads: 1 };
    assert.equal(trainingSummary(gpu as never, "x"), "1 epoch in 1 min 15 s on webgpu (NVIDIA H200, hardware) with 1 thread; best epoch 1");
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
