// The epoch part of `npm run bench -- gpu`: one real epoch of a synthetic data set (full sampler,
// batch 500, the paper's model) through lib/train/loop.ts train() on the webgpu backend, with the
// validation that closes it; and PyTorch's CUDA epoch on the same ratings (cvae_torch.py --device
// cuda). Both are capped so the whole suite fits a short session on a GPU machine: a cut epoch is
// projected from its batches (and validation is then timed on its own).
import { rmSync } from "node:fs";
import { ensureSynthetic, listProcessed, prepareDataset } from "../lib/data/datasets";
import { loadProcessed } from "../lib/data/store";
import { evaluate } from "../lib/evaluation/evaluate";
import { chosenBackend } from "../lib/model/backend";
import { modelDir } from "../lib/model/checkpoint";
import { WebGpuEngine } from "../lib/model/webgpu/engine";
import { train } from "../lib/train/loop";
import { formatDuration } from "../lib/train/progress";
import { runTorchCapped } from "./torch";

export interface EpochReport {
  data: string;
  items: number;
  rowsPerEpoch: number;
  batches: number;
  /** Batches trained: all of them, or fewer when the cap cut the epoch. */
  batchesDone: number;
  cut: boolean;
  /** Seconds of training for the whole epoch (projected from the batches done when cut). */
  trainSeconds: number;
  rowsPerSecond: number;
  /** Validation (both protocols) and, for a whole epoch, the checkpoint save after it. */
  validSeconds: number;
  epochSeconds: number;
  hundredEpochsSeconds: number;
  validNdcgConditioned: number | null;
}

export interface TorchEpochReport {
  rowsPerEpoch: number | null;
  rowsPerSecond: number | null;
  /** Seconds of the training loop for a whole epoch (projected from progress lines when stopped). */
  trainSeconds: number | null;
  finished: boolean;
}

const RUN = "bench-gpu-epoch";
const count = (n: number) => n.toLocaleString("en-US");

/** Generates and prepares the synthetic preset when missing; returns its raw folder. */
async function ensureData(preset: string): Promise<string> {
  const synth = await ensureSynthetic(preset);
  if (synth.created && synth.summary)
    console.log(`  generated ${preset}: ${count(synth.summary.ratings)} ratings in ${synth.summary.seconds.toFixed(1)} s`);
  if (synth.created || !listProcessed().includes(preset)) {
    const prepared = await prepareDataset(preset);
    console.log(`  prepared ${preset} in ${prepared.seconds.total.toFixed(1)} s`);
  }
  return synth.folder;
}

/** One epoch on webgpu with validation, cut after `capSeconds` of training; null when this process is bound to another backend. */
export async function gpuEpoch(preset: string, capSeconds: number): Promise<EpochReport | null> {
  const bound = chosenBackend();
  if (bound !== null && bound !== "webgpu") {
    console.log(`  skipped: this process already trains on "${bound}"; run \`npm run bench -- gpu\` on its own`);
    return null;
  }
  process.env.CVAE_BACKEND = "webgpu";
  await ensureData(preset);
  const ds = loadProcessed(preset);
  rmSync(modelDir(RUN), { recursive: true, force: true });
  let epochStart = 0;
  let lastBatch = 0;
  /** When each batch's step() returned (ms), for projecting a cut epoch. */
  const returned: number[] = [];
  let progress = { batch: 0, batches: 0, seconds: 0 };
  let closedAt = 0;
  let rowsPerEpoch = 0;
  let validNdcgConditioned: number | null = null;
  const result = await train(
    { dataset: preset, run: RUN, sampler: "full", epochs: 1, patience: 0, seed: 1 },
    {
      dataset: ds,
      resume: "never",
      handleSignals: false,
      shouldStop: () => epochStart > 0 && (performance.now() - epochStart) / 1000 > capSeconds,
      callbacks: {
        onBatch(p) {
          lastBatch = performance.now();
          if (!epochStart) epochStart = lastBatch - p.seconds * 1000;
          returned.push(lastBatch);
          progress = { batch: p.batch, batches: p.batches, seconds: p.seconds };
        },
        onEpoch(record) {
          closedAt = performance.now();
          rowsPerEpoch = record.rows;
          validNdcgConditioned = record.validNdcgConditioned;
        },
      },
    },
  );
  try {
    const cut = !result.finished;
    let trainSeconds: number;
    let validSeconds: number;
    if (!cut) {
      trainSeconds = result.history[0].seconds;
      validSeconds = (closedAt - lastBatch) / 1000;
    } else {
      trainSeconds = projectEpoch(epochStart, returned, progress.batches);
      rowsPerEpoch = progress.batches * result.config.batchSize;
      const engine = await WebGpuEngine.create(result.model.layout);
      try {
        engine.buffers.params.set(result.model.params);
        engine.load();
        const v0 = performance.now();
        const valid = await evaluate(ds, "valid", (b, k) => engine.rank(b, k), { conditioned: true });
        validSeconds = (performance.now() - v0) / 1000;
        validNdcgConditioned = valid.conditioned?.ndcg100 ?? null;
      } finally {
        await engine.close();
      }
    }
    const epochSeconds = trainSeconds + validSeconds;
    const report: EpochReport = {
      data: preset,
      items: ds.summary.items,
      rowsPerEpoch,
      batches: progress.batches,
      batchesDone: progress.batch,
      cut,
      trainSeconds,
      rowsPerSecond: rowsPerEpoch / trainSeconds,
      validSeconds,
      epochSeconds,
      hundredEpochsSeconds: 100 * epochSeconds,
      validNdcgConditioned,
    };
    const adapter = result.backend.adapter ? ` (${result.backend.adapter.description || result.backend.adapter.device})` : "";
    console.log(
      `  backend ${result.backend.name}${adapter}; ${preset}: ${count(report.items)} items, ~${count(rowsPerEpoch)} rows an epoch ` +
        `in ${count(report.batches)} batches`,
    );
    console.log(
      cut
        ? `  training cut after ${capSeconds} s (${count(report.batchesDone)} of ${count(report.batches)} batches; --epoch-cap): ` +
            `projected ${formatDuration(trainSeconds)} an epoch`
        : `  training: ${formatDuration(trainSeconds)} for the epoch`,
    );
    console.log(`  ${count(Math.round(report.rowsPerSecond))} rows/s`);
    console.log(
      `  validation (both protocols${cut ? ", timed on its own" : ", and the checkpoint save"}): ${validSeconds.toFixed(1)} s; ` +
        `valid nDCG@100 condition rows ${validNdcgConditioned === null ? "?" : (validNdcgConditioned as number).toFixed(4)}`,
    );
    console.log(
      `  ${formatDuration(epochSeconds)} an epoch with validation; projected 100 epochs: ${formatDuration(report.hundredEpochsSeconds)}`,
    );
    return report;
  } finally {
    rmSync(modelDir(RUN), { recursive: true, force: true });
  }
}

/**
 * Seconds of a whole epoch of `batches` from the times the first batches' steps returned. step()
 * returns before the GPU is done (it runs up to a few reads ahead), so the rate is taken over the
 * later batches, where the CPU waits on the GPU; the first ones (compiling the pipelines, filling
 * the queue) are counted once as they came.
 */
export function projectEpoch(start: number, returned: readonly number[], batches: number): number {
  const n = returned.length;
  const skip = Math.min(64, Math.floor(n / 2));
  const from = skip > 0 ? returned[skip - 1] : start;
  const perBatch = (returned[n - 1] - from) / (n - skip);
  return (from - start + perBatch * (batches - skip)) / 1000;
}

/** PyTorch's CUDA epoch on the same ratings, stopped after `capSeconds`; its rate from its epoch line or last progress line. */
export async function torchEpoch(script: string, preset: string, capSeconds: number): Promise<TorchEpochReport> {
  const folder = await ensureData(preset);
  console.log(`  PyTorch: ${script} ${preset} --epochs 1 --device cuda --progress 100 (stopped after ${capSeconds} s; --torch-cap)`);
  const r = runTorchCapped(script, [folder, "--epochs", "1", "--device", "cuda", "--progress", "100"], capSeconds);
  const rowsPerEpoch = Number(/(\d+) rows\/epoch/.exec(r.stdout)?.[1] ?? NaN);
  const epochLine = /^epoch\s+1\s+([\d.]+)s\s+(\d+) rows\/s/m.exec(r.stdout);
  const progress = [...r.stdout.matchAll(/batch (\d+)\/(\d+)\s+([\d.]+)s\s+(\d+) rows\/s/g)].pop();
  let rowsPerSecond: number | null = null;
  let trainSeconds: number | null = null;
  if (epochLine) {
    trainSeconds = Number(epochLine[1]);
    rowsPerSecond = Number(epochLine[2]);
    console.log(`  PyTorch CUDA: ${count(rowsPerSecond)} rows/s, ${formatDuration(trainSeconds)} an epoch (training loop only)`);
  } else if (progress) {
    rowsPerSecond = Number(progress[4]);
    trainSeconds = Number.isFinite(rowsPerEpoch) ? rowsPerEpoch / rowsPerSecond : null;
    console.log(
      `  PyTorch CUDA: ${count(rowsPerSecond)} rows/s over ${progress[1]} of ${progress[2]} batches before the cap; ` +
        `projected ${trainSeconds === null ? "?" : formatDuration(trainSeconds)} an epoch (training loop only)`,
    );
  } else {
    console.log(`  PyTorch CUDA: no batch finished within ${capSeconds} s (loading the data takes part of it); raise --torch-cap`);
  }
  if (trainSeconds !== null) console.log(`  PyTorch projected 100 epochs (training only): ${formatDuration(100 * trainSeconds)}`);
  return { rowsPerEpoch: Number.isFinite(rowsPerEpoch) ? rowsPerEpoch : null, rowsPerSecond, trainSeconds, finished: r.finished };
}
