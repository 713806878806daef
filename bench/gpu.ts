// `npm run bench -- gpu [options]`: the webgpu backend (lib/model/webgpu/) on this machine's
// WebGPU adapter. Always: the adapter, and a small correctness-and-timing smoke (a few steps of
// WebGpuEngine against the CPU engine from the same weights and batches). On a software adapter
// (Mesa's llvmpipe) that is all: no speed claim. On a hardware adapter: the training step at
// m = 8,000 / 20,000 / 26,744 (batch 500, the paper's 600/200 model, 20 conditions) beside a
// PyTorch CUDA step timed in the same run, the GPU memory the model holds, and a real epoch of
// synthetic-20m with validation (gpu-epoch.ts) beside PyTorch's CUDA epoch, then latent extraction
// of 2,000 users x every condition and the evaluation of 10,000 users (gpu-scoring.ts) beside the
// CPU; a scoring smoke on every adapter. `--quick` is a short version of the same.
// scripts/gpu-bundle.sh packs this suite for a GPU machine without Node.
import { writeFileSync } from "node:fs";
import { Rng } from "../lib/core/rng";
import { itemEntryConditions } from "../lib/data/conditions/conditions";
import { csrFromPairs } from "../lib/data/sparse";
import { isSynthName, SYNTH_PRESETS } from "../lib/data/synthetic/synth";
import { buildBatch, type SparseBatch } from "../lib/model/batch";
import type { StepLoss } from "../lib/model/backward";
import { loadBlas } from "../lib/model/blas";
import { GradientEngine } from "../lib/model/engine";
import { initParams, paramLayout } from "../lib/model/parameters";
import { type AdapterInfo, describeAdapter, probeAdapter, type SubgroupSetting, subgroupSetting } from "../lib/model/webgpu/device";
import { WebGpuEngine } from "../lib/model/webgpu/engine";
import { type EpochReport, gpuEpoch, torchEpoch, type TorchEpochReport } from "./gpu-epoch";
import { scoringSmoke, scoringTimings } from "./gpu-scoring";
import { fmtMs, median } from "./stats";
import { torchCuda, torchReference, torchStepMs } from "./torch";

export interface GpuBenchOptions {
  quick: boolean;
  sizes: number[];
  /** Timed samples per size (median over them), after one warm-up sample. */
  repeats: number;
  /** Steps per sample: K steps submitted, then the queue drained (flush), divided by K. */
  steps: number;
  epoch: boolean;
  epochData: string;
  /** Seconds of training before our epoch is cut and projected from its batches. */
  epochCap: number;
  /** Seconds PyTorch's epoch run may take (data loading included) before it is stopped. */
  torchCap: number;
  torch: boolean;
  json: string | null;
  /** Runs the hardware path on a software adapter (tests this suite on llvmpipe; its timings mean nothing). */
  asHardware: boolean;
  /** Times latent extraction and evaluation (gpu-scoring.ts). */
  scoring: boolean;
  latentUsers: number;
  evalUsers: number;
}

export const GPU_USAGE =
  "usage: bench gpu [--quick] [--sizes M,M,...] [--repeats N] [--steps K] [--epoch-data PRESET] [--epoch-cap S]\n" +
  "                 [--torch-cap S] [--no-epoch] [--no-torch] [--no-scoring] [--latent-users N] [--eval-users N]\n" +
  "                 [--json FILE] [--as-hardware]\n" +
  "  --as-hardware runs the hardware path on a software adapter, to test this suite (its timings mean nothing)";

const BATCH = 500;
const DIMS = { conditions: 20, hidden: 600, latentDim: 200 };

/** Parses the suite's arguments; anything unknown or malformed is refused with the usage. */
export function parseGpuArgs(args: readonly string[]): GpuBenchOptions {
  const quick = args.includes("--quick");
  const o: GpuBenchOptions = {
    quick,
    sizes: quick ? [20000] : [8000, 20000, 26744],
    repeats: quick ? 5 : 10,
    steps: quick ? 10 : 20,
    epoch: true,
    epochData: quick ? "synthetic" : "synthetic-20m",
    epochCap: quick ? 30 : 90,
    torchCap: quick ? 60 : 100,
    torch: true,
    json: null,
    asHardware: false,
    scoring: true,
    latentUsers: 2000,
    evalUsers: 10_000,
  };
  const fail = (why: string): never => {
    throw new Error(`bench gpu: ${why}\n${GPU_USAGE}`);
  };
  const whole = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < min) fail(`${flag} needs a whole number >= ${min}, got "${v ?? ""}"`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const next = () => args[++i];
    switch (a) {
      case "--quick":
        break;
      case "--sizes": {
        const v = next();
        o.sizes = (v ?? "").split(",").map((s) => whole("--sizes", s, 1));
        break;
      }
      case "--repeats":
        o.repeats = whole(a, next(), 1);
        break;
      case "--steps":
        o.steps = whole(a, next(), 1);
        break;
      case "--epoch-data": {
        const v = next();
        if (v === undefined || !isSynthName(v)) fail(`--epoch-data needs a synthetic preset (${Object.keys(SYNTH_PRESETS).join(", ")})`);
        o.epochData = v as string;
        break;
      }
      case "--epoch-cap":
        o.epochCap = whole(a, next(), 1);
        break;
      case "--torch-cap":
        o.torchCap = whole(a, next(), 1);
        break;
      case "--no-epoch":
        o.epoch = false;
        break;
      case "--no-torch":
        o.torch = false;
        break;
      case "--as-hardware":
        o.asHardware = true;
        break;
      case "--no-scoring":
        o.scoring = false;
        break;
      case "--latent-users":
        o.latentUsers = whole(a, next(), 1);
        break;
      case "--eval-users":
        o.evalUsers = whole(a, next(), 1);
        break;
      case "--json": {
        const v = next();
        if (!v || v.startsWith("--")) fail("--json needs a file name");
        o.json = v as string;
        break;
      }
      default:
        fail(`unknown argument "${a}"`);
    }
  }
  return o;
}

/** `count` training batches of `rows` rows over a random user-item matrix (1 % density), drawn as training draws them. */
function randomBatches(m: number, rows: number, count: number, seed: number): SparseBatch[] {
  const rng = new Rng(seed);
  const us: number[] = [];
  const is: number[] = [];
  for (let u = 0; u < rows; u++) {
    for (let i = 0; i < m; i++) {
      if (rng.random() < 0.01 || i === u % m) {
        us.push(u);
        is.push(i);
      }
    }
  }
  const X = csrFromPairs(rows, m, us, is);
  const G = csrFromPairs(
    m,
    DIMS.conditions,
    Array.from({ length: m }, (_, i) => i),
    Array.from({ length: m }, (_, i) => i % DIMS.conditions),
  );
  const batchRows = {
    users: Int32Array.from({ length: rows }, (_, i) => i),
    conditions: Int32Array.from({ length: rows }, (_, i) => (i % (DIMS.conditions + 1)) - 1),
  };
  const options = { dropout: 0.5, latentDim: DIMS.latentDim, rng, targetConditions: itemEntryConditions(G) };
  return Array.from({ length: count }, () => buildBatch(X, X, batchRows, 0, rows, options));
}

const add = (a: StepLoss, b: StepLoss): StepLoss => ({ nllSum: a.nllSum + b.nllSum, klSum: a.klSum + b.klSum, rows: a.rows + b.rows });

interface SmokeReport {
  m: number;
  batch: number;
  steps: number;
  ok: boolean;
  nllRelError: number;
  klRelError: number;
  maxWeightDiff: number;
  gpuMsPerStep: number;
  reference: string;
}

/** A few steps on the GPU and on the CPU engine from the same weights and batches: same losses and weights, and the GPU's time. */
async function smoke(software: boolean): Promise<SmokeReport> {
  const m = 2000;
  const batch = 64;
  const steps = 3;
  const layout = paramLayout({ items: m, ...DIMS });
  const batches = randomBatches(m, batch, steps, 11);
  const reference = loadBlas().ok ? "blas" : "cpu";
  const gpu = await WebGpuEngine.create(layout);
  const cpu = await GradientEngine.create(layout, 1, reference);
  try {
    initParams(layout, new Rng(3), gpu.buffers.params);
    cpu.buffers.params.set(gpu.buffers.params);
    gpu.load();
    // One step untimed first: pipelines are compiled on first use.
    let gpuLoss = await gpu.step(batches[0], 0.2, 1e-3);
    let cpuLoss = await cpu.step(batches[0], 0.2, 1e-3);
    gpuLoss = add(gpuLoss, await gpu.flush());
    const t0 = performance.now();
    for (const b of batches.slice(1)) gpuLoss = add(gpuLoss, await gpu.step(b, 0.2, 1e-3));
    gpuLoss = add(gpuLoss, await gpu.flush());
    const gpuMsPerStep = (performance.now() - t0) / (steps - 1);
    for (const b of batches.slice(1)) cpuLoss = add(cpuLoss, await cpu.step(b, 0.2, 1e-3));
    await gpu.sync();
    let maxWeightDiff = 0;
    for (let i = 0; i < layout.size; i++) maxWeightDiff = Math.max(maxWeightDiff, Math.abs(gpu.buffers.params[i] - cpu.buffers.params[i]));
    const nllRelError = Math.abs(gpuLoss.nllSum - cpuLoss.nllSum) / Math.abs(cpuLoss.nllSum);
    const klRelError = Math.abs(gpuLoss.klSum - cpuLoss.klSum) / Math.max(1, Math.abs(cpuLoss.klSum));
    // The tolerances of test/model/webgpu/engine.test.ts.
    const ok = gpuLoss.rows === cpuLoss.rows && nllRelError < 1e-4 && klRelError < 1e-3 && maxWeightDiff < 1e-4;
    console.log(
      `smoke: ${steps} steps at m=${m}, batch ${batch}, hidden ${DIMS.hidden}, latent ${DIMS.latentDim}, ` +
        `against the CPU engine (${reference}): ${ok ? "same" : "NOT the same"} ` +
        `(NLL rel. error ${nllRelError.toExponential(1)}, KL ${klRelError.toExponential(1)}, ` +
        `weights within ${maxWeightDiff.toExponential(1)}; tolerances 1e-4, 1e-3, 1e-4)`,
    );
    console.log(`smoke: ${fmtMs(gpuMsPerStep)} per GPU step${software ? " on the software adapter (not a speed figure)" : ""}`);
    return { m, batch, steps, ok, nllRelError, klRelError, maxWeightDiff, gpuMsPerStep, reference };
  } finally {
    await gpu.close();
    await cpu.close();
  }
}

interface StepReport {
  m: number;
  msPerStep: number[];
  medianMs: number;
  gpuBytes: number;
  /** The softmax reduced through subgroups. */
  subgroups: boolean;
  torchMs: number | null;
}

/**
 * Median ms per step at m items: samples of K steps, each ended by draining the queue (flush), after one warm-up sample.
 * `subgroups` is CVAE_WEBGPU_SUBGROUPS while the engine opens its device ("off": the shared-memory reductions);
 * by default the user's own setting.
 */
async function stepAt(m: number, o: GpuBenchOptions, subgroups: SubgroupSetting = subgroupSetting()): Promise<Omit<StepReport, "torchMs">> {
  const layout = paramLayout({ items: m, ...DIMS });
  const batches = randomBatches(m, BATCH, 4, 1);
  const saved = process.env.CVAE_WEBGPU_SUBGROUPS;
  process.env.CVAE_WEBGPU_SUBGROUPS = subgroups;
  const engine = await WebGpuEngine.create(layout).finally(() => {
    if (saved === undefined) delete process.env.CVAE_WEBGPU_SUBGROUPS;
    else process.env.CVAE_WEBGPU_SUBGROUPS = saved;
  });
  try {
    initParams(layout, new Rng(7), engine.buffers.params);
    engine.load();
    const msPerStep: number[] = [];
    for (let s = 0; s <= o.repeats; s++) {
      const t0 = performance.now();
      for (let k = 0; k < o.steps; k++) await engine.step(batches[k % batches.length], 0.2, 1e-3);
      await engine.flush();
      if (s > 0) msPerStep.push((performance.now() - t0) / o.steps);
    }
    return { m, msPerStep, medianMs: median(msPerStep), gpuBytes: engine.gpuBytes, subgroups: engine.subgroups };
  } finally {
    await engine.close();
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export async function benchGpu(args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(GPU_USAGE);
    return;
  }
  const o = parseGpuArgs(args);
  const report: Record<string, unknown> = { options: o };
  const finish = () => {
    if (o.json) writeFileSync(o.json, `${JSON.stringify(report, null, 1)}\n`);
  };
  const probe = await probeAdapter();
  if (!probe.ok) {
    console.log(`no WebGPU adapter: ${probe.reason}; nothing to time`);
    report.adapter = { reason: probe.reason };
    return finish();
  }
  const adapter: AdapterInfo = probe.info;
  report.adapter = adapter;
  console.log(`adapter: ${describeAdapter(adapter)}`);
  const setting = subgroupSetting();
  const subgroups = !adapter.subgroups
    ? "not offered"
    : setting === "off"
      ? "offered, off (CVAE_WEBGPU_SUBGROUPS=off)"
      : "offered (the softmax reduces with them)";
  console.log(
    `  ${adapter.software ? "software" : "hardware"}; subgroups ${subgroups}; largest storage binding ${mib(adapter.maxBinding)}`,
  );
  if (adapter.software && o.asHardware) {
    console.log("only a software adapter, but --as-hardware: the hardware path runs to test this suite; no speed claim, no ratios");
  } else if (adapter.software) {
    const name = adapter.description || adapter.device || "unnamed";
    console.log(`only a software adapter (${name}): no speed claim; a small correctness-and-timing smoke only`);
    const s = await smoke(true);
    report.smoke = s;
    const scoringOk = await scoringSmoke();
    report.scoringSmoke = scoringOk;
    finish();
    if (!s.ok) throw new Error("bench gpu: the GPU step does not match the CPU step (see the smoke line)");
    if (!scoringOk) throw new Error("bench gpu: GPU scoring does not match the CPU (see the scoring smoke line)");
    return;
  }

  const s = await smoke(adapter.software);
  report.smoke = s;
  const scoringOk = await scoringSmoke();
  report.scoringSmoke = scoringOk;
  const torch = o.torch ? torchReference() : null;
  const cuda = torch ? torchCuda() : null;
  if (!o.torch) console.log("PyTorch: skipped (--no-torch)");
  else if (!torch)
    console.log("PyTorch reference: not found (CVAE_TORCH_REFERENCE or ../shared/peer/cvae_torch.py, with torch, scipy, pandas)");
  else if (!cuda) console.log(`PyTorch reference: ${torch}, but python3 has no torch with CUDA; only cvae-lens is timed`);
  else console.log(`PyTorch reference: ${torch} (torch ${cuda.torch} on ${cuda.device})`);
  const withTorch = torch !== null && cuda !== null;
  report.torch = withTorch ? { script: torch, ...cuda } : null;

  console.log(
    `\n(1) one training step (WebGpuEngine.step), batch ${BATCH}, hidden ${DIMS.hidden}, latent ${DIMS.latentDim}, ` +
      `${DIMS.conditions} conditions, 1 % density: median of ${o.repeats} samples of ${o.steps} steps, ` +
      "each ended by draining the queue (flush), after one warm-up sample",
  );
  const steps: StepReport[] = [];
  for (const m of o.sizes) {
    const ours = await stepAt(m, o);
    console.log(
      `  m=${m}: cvae-lens webgpu ${fmtMs(ours.medianMs)} per step (min ${fmtMs(Math.min(...ours.msPerStep))}, ` +
        `max ${fmtMs(Math.max(...ours.msPerStep))}); GPU memory ${mib(ours.gpuBytes)}`,
    );
    const torchMs = withTorch ? torchStepMs(torch, m, ["--device", "cuda"]) : null;
    if (torchMs !== null && !adapter.software) {
      const goal = m === 20000 ? " (goal <= 1.0, stretch <= 0.5)" : "";
      console.log(`  ratio webgpu / PyTorch CUDA at m=${m}: ${(ours.medianMs / torchMs).toFixed(2)}${goal}`);
    }
    steps.push({ ...ours, torchMs });
  }
  report.steps = steps;
  if (adapter.subgroups && setting === "auto") {
    // What the subgroup reductions buy: the same step with the shared-memory reductions (CVAE_WEBGPU_SUBGROUPS=off).
    const m = o.sizes.includes(20000) ? 20000 : o.sizes[o.sizes.length - 1];
    const without = await stepAt(m, o, "off");
    const withSg = steps.find((r) => r.m === m)?.medianMs ?? NaN;
    const ratio = adapter.software ? "" : `; with / without ${(withSg / without.medianMs).toFixed(2)}`;
    console.log(`  m=${m} without subgroups (CVAE_WEBGPU_SUBGROUPS=off): ${fmtMs(without.medianMs)} per step${ratio}`);
    report.withoutSubgroups = without;
  }
  finish();

  if (o.epoch) {
    console.log(`\n(2) a real epoch of ${o.epochData} (full sampler, batch ${BATCH}) with validation, on webgpu`);
    const epoch: EpochReport | null = await gpuEpoch(o.epochData, o.epochCap);
    report.epoch = epoch;
    finish();
    const te: TorchEpochReport | null = withTorch ? await torchEpoch(torch, o.epochData, o.torchCap) : null;
    report.torchEpoch = te;
    if (epoch && te?.rowsPerSecond && !adapter.software)
      console.log(`  ratio of rows/s webgpu / PyTorch CUDA: ${(epoch.rowsPerSecond / te.rowsPerSecond).toFixed(2)} (goal >= 4)`);
  }
  finish();
  if (o.scoring) {
    report.scoring = await scoringTimings(
      { latentUsers: o.latentUsers, evalUsers: o.evalUsers, repeats: o.quick ? 2 : 3 },
      adapter.software,
    );
    finish();
  }
  if (!s.ok) throw new Error("bench gpu: the GPU step does not match the CPU step (see the smoke line): the timings above are suspect");
  if (!scoringOk)
    throw new Error("bench gpu: GPU scoring does not match the CPU (see the scoring smoke line): the timings above are suspect");
}
