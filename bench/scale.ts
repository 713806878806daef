// `npm run bench -- scale [batches] [preset]`: what training costs at ML-20M size (the
// synthetic-20m preset: 138,493 users, 27,278 movies, 20 M ratings) on this machine. For the
// full sampler and the C-VAE paper's balanced one (rectorch's BalancedConditionedDataSampler),
// a real run trains a fixed number of batches in its own process; the median batch time,
// one validation pass and one checkpoint save give the projected epoch and 100-epoch times,
// and the process's peak RSS what training needs in memory (goal: at most 4 GB).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ensureSynthetic, listProcessed, prepareDataset } from "../lib/data/datasets";
import { projectRoot } from "../lib/core/paths";
import { formatDuration } from "../lib/train/progress";
import { median } from "./stats";
import { torchReference, torchStepMs } from "./torch";

const SAMPLERS = ["full", "balanced"] as const;
const RSS_GOAL_MB = 4096;
/** Batches left out of the median: the first ones pay for compilation and warm-up. */
const WARMUP_BATCHES = 2;

interface ScaleRun {
  sampler: string;
  backend: string;
  threads: number;
  batchSize: number;
  items: number;
  batchesPerEpoch: number;
  batchMs: number[];
  loadSeconds: number;
  saveSeconds: number;
  validSeconds: number;
  trainRssMb: number;
  peakRssMb: number;
}

function runChild(dataset: string, sampler: string, batches: number): ScaleRun {
  const child = join(projectRoot(), "bench", "scale-child.ts");
  const r = spawnSync(process.execPath, ["--import", "tsx", child, dataset, sampler, String(batches)], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`bench scale: the ${sampler} run failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as ScaleRun;
}

function days(seconds: number): string {
  return seconds >= 2 * 86_400 ? `${(seconds / 86_400).toFixed(1)} days` : formatDuration(seconds);
}

export async function benchScale(args: string[]): Promise<void> {
  const batches = Number(args[0] ?? 20);
  const preset = args[1] ?? "synthetic-20m";
  if (!Number.isInteger(batches) || batches <= WARMUP_BATCHES) {
    throw new Error(`bench scale: batches must be a whole number above ${WARMUP_BATCHES}, got "${args[0]}"`);
  }
  console.log(`data: ${preset} (generated and prepared first if missing)`);
  const synth = await ensureSynthetic(preset);
  if (synth.created && synth.summary) console.log(`  generated ${synth.summary.ratings} ratings in ${synth.summary.seconds.toFixed(1)} s`);
  if (synth.created || !listProcessed().includes(preset)) {
    const prepared = await prepareDataset(preset);
    console.log(`  prepared in ${prepared.seconds.total.toFixed(1)} s`);
  }
  const runs = SAMPLERS.map((sampler) => {
    console.log(`  ${sampler}: training ${batches} batches in a child process ...`);
    return runChild(preset, sampler, batches);
  });
  const { backend, threads, batchSize } = runs[0];
  console.log(
    `\nbackend ${backend}, ${threads} training thread(s), batch ${batchSize}, the paper's model (600 hidden, 200 latent); ` +
      `median over batches ${WARMUP_BATCHES + 1}-${batches}`,
  );
  const header = ["sampler", "rows/epoch", "batches", "s/batch", "train/epoch", "validation", "save", "epoch", "100 epochs", "peak RSS"];
  const rows = runs.map((r) => {
    const perBatch = median(r.batchMs.slice(WARMUP_BATCHES)) / 1000;
    const trainEpoch = perBatch * r.batchesPerEpoch;
    const epoch = trainEpoch + r.validSeconds + r.saveSeconds;
    return [
      r.sampler,
      `~${(r.batchesPerEpoch * r.batchSize).toLocaleString("en-US")}`,
      r.batchesPerEpoch.toLocaleString("en-US"),
      perBatch.toFixed(2),
      formatDuration(trainEpoch),
      formatDuration(r.validSeconds),
      formatDuration(r.saveSeconds),
      formatDuration(epoch),
      days(100 * epoch),
      `${(r.trainRssMb / 1024).toFixed(2)} GB (${(r.peakRssMb / 1024).toFixed(2)} with validation)`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  for (const row of [header, ...rows]) console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i])).join("  ")}`);
  const peak = Math.max(...runs.map((r) => r.peakRssMb));
  console.log(`peak RSS ${(peak / 1024).toFixed(2)} GB: goal <= ${RSS_GOAL_MB / 1024} GB ${peak <= RSS_GOAL_MB ? "met" : "NOT met"}`);
  console.log(`loading the processed data set: ${runs.map((r) => `${r.loadSeconds.toFixed(1)} s`).join(", ")}`);
  const torch = torchReference();
  if (!torch) {
    console.log("PyTorch reference: not found (needs ../shared/peer/cvae_torch.py and python3-torch)");
    return;
  }
  // PyTorch's step on random input (1 % density) at the same item count: a projection of the
  // training part of an epoch only (no batch building, validation or saves on its side).
  console.log(`
PyTorch reference, one training step at m=${runs[0].items}, batch 500 (random 1 % input):`);
  const torchSeconds = torchStepMs(torch, runs[0].items) / 1000;
  for (const r of runs) {
    const ours = median(r.batchMs.slice(WARMUP_BATCHES)) / 1000;
    console.log(
      `  ${r.sampler}: PyTorch ${formatDuration(torchSeconds * r.batchesPerEpoch)} of training an epoch, cvae-lens ` +
        `${formatDuration(ours * r.batchesPerEpoch)}: ratio ${(ours / torchSeconds).toFixed(2)} per batch`,
    );
  }
}
