// The scoring part of `npm run bench -- gpu`: what the analysis and the evaluation run through
// openScorer (lib/model/scorer.ts) on the webgpu backend. Always a small smoke: a model's latents
// under every condition and its scores on the GPU against its own CPU methods. On a hardware adapter
// (or --as-hardware) two timings on a synthetic ML-20M-like catalogue made for the purpose (about
// 17,500 items; 10 s to write and prepare): latent extraction of 2,000 users x every condition
// (encodeUnderConditions, notebooks 04-06) and the evaluation of 10,000 validation users under both
// protocols (evaluate, as `cvae evaluate` and training's validation run it), each beside the CPU.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeUnderConditions, sampleUsers } from "../lib/analysis/latent";
import { Rng } from "../lib/core/rng";
import { unscoredTargets } from "../lib/data/conditions/conditions";
import { readMovieLens } from "../lib/data/movielens/movielens";
import { preprocess } from "../lib/data/protocol/preprocess";
import type { ProcessedDataset } from "../lib/data/schema";
import { writeSynthetic } from "../lib/data/synthetic/synth";
import { evaluate } from "../lib/evaluation/evaluate";
import { type BackendInfo, chosenBackend, initBackend } from "../lib/model/backend";
import { buildBatch, type SparseBatch } from "../lib/model/batch";
import { vocabularyOf } from "../lib/model/checkpoint";
import { CvaeModel } from "../lib/model/cvae-model";
import { initialParams, paramLayout } from "../lib/model/parameters";
import { openScorer } from "../lib/model/scorer";
import { makeTrainConfig } from "../lib/train/config";
import { fmtMs, median } from "./stats";

const DIMS = { hidden: 600, latentDim: 200 };
const count = (n: number) => n.toLocaleString("en-US");

export interface ScoringOptions {
  /** Users sampled for latent extraction (the notebooks' 2,000). */
  latentUsers: number;
  /** Validation users evaluated (ML-20M's protocol holds out 10,000). */
  evalUsers: number;
  /** Timed repeats of the latent extraction after the first call (median). */
  repeats: number;
}

export interface ScoringReport {
  items: number;
  conditions: number;
  latent: { users: number; rows: number; firstMs: number; medianMs: number; cpuMs: number; maxDiff: number };
  evaluation: { users: number; rows: number; ms: number; cpuMsPer1000Rows: number; cpuProjectedMs: number; ndcg100: number };
}

/** Binds this process to webgpu (forcing a software adapter too); the reason when it is bound to another backend. */
async function onWebGpu(): Promise<BackendInfo | string> {
  const bound = chosenBackend();
  if (bound !== null && bound !== "webgpu") return `this process already runs on "${bound}"; run \`npm run bench -- gpu\` on its own`;
  process.env.CVAE_BACKEND = "webgpu";
  return initBackend({ log: false });
}

/** A model of the paper's size with seeded weights over `ds` (training does not change what is timed). */
function modelFor(ds: ProcessedDataset): CvaeModel {
  const dims = { items: ds.summary.items, conditions: ds.conditions.labels.length, ...DIMS };
  const config = makeTrainConfig({ dataset: ds.name, hidden: DIMS.hidden, latent: DIMS.latentDim });
  return new CvaeModel(config, dims, initialParams(paramLayout(dims), 5), vocabularyOf(ds));
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((w, x, i) => Math.max(w, Math.abs(x - b[i])), 0);

/** Latents and scores of a random model on the GPU against its own CPU methods; true when they agree within 1e-4. */
export async function scoringSmoke(): Promise<boolean> {
  const info = await onWebGpu();
  if (typeof info === "string") {
    console.log(`scoring smoke: skipped (${info})`);
    return true;
  }
  const m = 2000;
  const C = 20;
  const rows = 40;
  const dims = { items: m, conditions: C, ...DIMS };
  const vocabulary = {
    dataset: "bench",
    itemMovieIds: Array.from({ length: m }, (_, i) => i),
    genres: Array.from({ length: C }, (_, c) => `c${c}`),
  };
  const model = new CvaeModel(makeTrainConfig({ dataset: "bench" }), dims, initialParams(paramLayout(dims), 3), vocabulary);
  const rng = new Rng(9);
  const inPtr = new Int32Array(rows + 1);
  const inItems: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < m; i++) if (rng.random() < 0.02) inItems.push(i);
    inPtr[r + 1] = inItems.length;
  }
  const values = Float32Array.from(inItems, () => 1);
  const batch: SparseBatch = {
    rows,
    inPtr,
    inItems: Int32Array.from(inItems),
    inValues: values,
    cond: Int32Array.from({ length: rows }, (_, r) => (r % (C + 1)) - 1),
    tgtPtr: new Int32Array(rows + 1),
    tgtItems: new Int32Array(0),
    eps: null,
  };
  const scorer = await openScorer(model);
  try {
    const latentDiff = maxAbsDiff(await scorer.encodeUnderEveryCondition(batch), model.encodeUnderEveryCondition(batch));
    const scoreDiff = maxAbsDiff(await scorer.scores(batch), model.scores(batch));
    const ok = scorer.where === "webgpu" && latentDiff < 1e-4 && scoreDiff < 1e-4;
    console.log(
      `scoring smoke: ${rows} rows at m=${m}, ${C} conditions, on ${scorer.where} against the CPU (${info.blas ? "BLAS" : "tfjs"}): ` +
        `${ok ? "same" : "NOT the same"} (latents within ${latentDiff.toExponential(1)}, scores within ${scoreDiff.toExponential(1)}; ` +
        "tolerance 1e-4)",
    );
    return ok;
  } finally {
    await scorer.close();
  }
}

/** A synthetic catalogue with `evalUsers` validation users and enough training users to sample `latentUsers`. */
async function scoringData(o: ScoringOptions): Promise<ProcessedDataset> {
  const folder = mkdtempSync(join(tmpdir(), "bench-gpu-scoring-"));
  try {
    const users = 2 * o.evalUsers + 2 * o.latentUsers + 6000;
    const t0 = performance.now();
    await writeSynthetic(folder, { users, movies: 20_000, ratings: 100 * users, seed: 20200714, minUserRatings: 20 });
    const ds = preprocess(readMovieLens(folder), "bench-gpu-scoring", { heldout: o.evalUsers });
    console.log(
      `  data: ${count(users)} synthetic users, ${count(100 * users)} ratings -> ${count(ds.summary.items)} items, ` +
        `${count(ds.train.matrix.rows)} training and ${count(ds.valid.userIds.length)} validation users ` +
        `(${((performance.now() - t0) / 1000).toFixed(1)} s to write and prepare)`,
    );
    return ds;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The two timings on a hardware adapter (or --as-hardware); null when this process is bound to another backend. */
export async function scoringTimings(o: ScoringOptions, software: boolean): Promise<ScoringReport | null> {
  const info = await onWebGpu();
  if (typeof info === "string") {
    console.log(`  skipped: ${info}`);
    return null;
  }
  const cpu = info.blas ? `CPU: BLAS, ${info.blas.threads ?? "library's"} threads` : "CPU: tfjs";
  console.log("\n(3) and (4), scoring through openScorer: a synthetic catalogue made for them");
  const ds = await scoringData(o);
  const model = modelFor(ds);
  const C = model.dims.conditions;

  const users = sampleUsers(ds, { users: o.latentUsers, seed: 1 });
  const t0 = performance.now();
  const first = await encodeUnderConditions(model, ds, users);
  const firstMs = performance.now() - t0;
  const times: number[] = [];
  for (let i = 0; i < o.repeats; i++) {
    const t = performance.now();
    await encodeUnderConditions(model, ds, users);
    times.push(performance.now() - t);
  }
  // The CPU scorer's work: the model's own encodeUnderEveryCondition over the same batches of 1,000 users.
  const targetConditions = unscoredTargets(ds.train.matrix);
  const cpuZ = new Float32Array(first.z.length);
  const c0 = performance.now();
  for (let from = 0; from < users.length; from += 1000) {
    const to = Math.min(users.length, from + 1000);
    const rows = { users: users.slice(from, to), conditions: new Int32Array(to - from).fill(-1) };
    const batch = buildBatch(ds.train.matrix, ds.train.matrix, rows, 0, to - from, { dropout: 0, latentDim: 0, targetConditions });
    const z = model.encodeUnderEveryCondition(batch);
    const L = DIMS.latentDim;
    for (let c = 0; c <= C; c++) cpuZ.set(z.subarray(c * (to - from) * L, (c + 1) * (to - from) * L), (c * users.length + from) * L);
  }
  const cpuMs = performance.now() - c0;
  const latent = { users: users.length, rows: first.rows, firstMs, medianMs: median(times), cpuMs, maxDiff: maxAbsDiff(first.z, cpuZ) };
  console.log(
    `(3) latent extraction (encodeUnderConditions, notebooks 04-06): ${count(users.length)} users x ${C + 1} conditions ` +
      `(none and ${C}) = ${count(first.rows)} rows, m = ${count(ds.summary.items)}, hidden ${DIMS.hidden}, latent ${DIMS.latentDim}`,
  );
  console.log(
    `  webgpu: ${fmtMs(latent.medianMs)} (median of ${o.repeats}; the first call, kernels compiled: ${fmtMs(firstMs)}); ` +
      `${cpu}: ${fmtMs(cpuMs)}; latents agree within ${latent.maxDiff.toExponential(1)}`,
  );
  if (!software) console.log(`  goal (issue 22: seconds) <= 10 s: ${latent.medianMs <= 10_000 ? "met" : "NOT met"}`);

  // Evaluation as compareModelsWithPopularity runs a trained model: both protocols, the model's conditions as input.
  let rowsRanked = 0;
  let firstBatch: SparseBatch | null = null;
  const scorer = await openScorer(model);
  const e0 = performance.now();
  let result: Awaited<ReturnType<typeof evaluate>>;
  try {
    result = await evaluate(
      ds,
      "valid",
      (b, k) => {
        rowsRanked += b.rows;
        firstBatch ??= b;
        return scorer.rank(b, k);
      },
      { conditioned: true, conditionInput: true },
    );
  } finally {
    await scorer.close();
  }
  const ms = performance.now() - e0;
  // The CPU: one batch ranked by the model's own method, projected over every row evaluated.
  const c1 = performance.now();
  if (firstBatch) model.rank(firstBatch, 100);
  const cpuBatchMs = performance.now() - c1;
  const batchRows = (firstBatch as SparseBatch | null)?.rows ?? 1;
  const cpuMsPer1000Rows = (1000 * cpuBatchMs) / batchRows;
  const evaluation = {
    users: ds.valid.userIds.length,
    rows: rowsRanked,
    ms,
    cpuMsPer1000Rows,
    cpuProjectedMs: (cpuMsPer1000Rows * rowsRanked) / 1000,
    ndcg100: result.unconditioned.ndcg100,
  };
  console.log(
    `(4) evaluation (evaluate, both protocols) of ${count(evaluation.users)} validation users: ${count(rowsRanked)} rows ranked ` +
      "(each user unconditioned, then each of its condition rows)",
  );
  console.log(
    `  webgpu: ${fmtMs(ms)} (opening the scorer included); ${cpu}: ${fmtMs(cpuMsPer1000Rows)} per 1,000 rows, ` +
      `projected ${fmtMs(evaluation.cpuProjectedMs)} for all of them`,
  );
  if (!software) console.log(`  goal (issue 22: seconds) <= 10 s: ${ms <= 10_000 ? "met" : "NOT met"}`);
  return { items: ds.summary.items, conditions: C, latent, evaluation };
}
