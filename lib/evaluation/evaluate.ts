// Evaluation of a model (or the popularity baseline) on validation or test users:
//  (a) unconditioned: each user with the zero condition, target = all held-out items
//      (the Mult-VAE protocol of Liang et al.);
//  (b) conditioned: one row per (user, condition present in both fold-in and held-out items),
//      target = the held-out items having that condition; averaged over rows and per condition.
// Fold-in items are never ranked. Metrics: the registry of metrics.ts (nDCG@100, Recall@20,
// Recall@50).
import { conditionNoun, type EntryConditions, entryConditionsOf, rowConditions } from "../data/conditions/conditions";
import type { HeldOutSplit, ProcessedDataset } from "../data/schema";
import type { ConditionKind, ConditionLabel } from "../data/schema";
import { columnCounts } from "../data/sparse";
import { buildBatch, type Rows, type SparseBatch } from "../model/batch";
import { topKExcluding } from "../model/top-k";
import { CvaeModel } from "../model/cvae-model";
import { openScorer } from "../model/scorer";
import { type MetricKey, metricLabel, METRICS, type MetricValues, metricValues, RANK_DEPTH, type RowMetrics, rowMetrics } from "./metrics";

/**
 * Evaluation rows of a held-out split: every user with the zero condition (the Mult-VAE
 * protocol), then one row per (user, genre) present in both the user's fold-in and
 * held-out items (the conditioned protocol; an empty target could not be scored).
 */
export function evaluationRows(
  split: HeldOutSplit,
  conditions: { foldIn: EntryConditions; heldOut: EntryConditions },
  conditioned: boolean,
): Rows & { zeroRows: number } {
  const U = split.foldIn.rows;
  const users: number[] = Array.from({ length: U }, (_, u) => u);
  const conds: number[] = new Array<number>(U).fill(-1);
  if (conditioned) {
    const inG = rowConditions(split.foldIn, conditions.foldIn);
    const outG = rowConditions(split.heldOut, conditions.heldOut);
    for (let u = 0; u < U; u++) {
      const held = new Set(outG.indices.subarray(outG.indptr[u], outG.indptr[u + 1]));
      for (let k = inG.indptr[u]; k < inG.indptr[u + 1]; k++) {
        if (held.has(inG.indices[k])) {
          users.push(u);
          conds.push(inG.indices[k]);
        }
      }
    }
  }
  return { users: Int32Array.from(users), conditions: Int32Array.from(conds), zeroRows: U };
}

export type Metrics = MetricValues & {
  /** Rows averaged (rows with an empty target are left out). */
  rows: number;
};

/** The metrics of one condition's rows. `genre` is its label under the key `cvae evaluate --json` prints (any condition kind). */
export interface ConditionMetrics extends Metrics {
  genre: ConditionLabel;
}

export interface EvaluationResult {
  split: "valid" | "test";
  /** What the conditioned rows are conditioned on. */
  conditionKind: ConditionKind;
  unconditioned: Metrics;
  /** Condition rows only; null when they were not scored. */
  conditioned: Metrics | null;
  /** Whether the ranker saw the rows' conditions (false for a Mult-VAE scored on condition rows). */
  conditionInput: boolean;
  /** Per condition (any kind), under the key that `cvae evaluate --json` and `cvae train --json` print. */
  perGenre: ConditionMetrics[];
}

/** Anything that ranks a batch: the model (GradientEngine.rank) or a baseline. */
export type Ranker = (batch: SparseBatch, k: number) => Promise<Int32Array> | Int32Array;

export interface EvaluateOptions {
  /** Score conditioned rows too (C-VAE); the popularity baseline accepts them as well. */
  conditioned: boolean;
  /** The ranker uses the rows' conditions (default true); false names a Mult-VAE's condition rows for what they are. */
  conditionInput?: boolean;
  /** Rows scored at once. */
  batchSize?: number;
}

/** The conditions of a held-out split's fold-in and held-out entries. */
export function splitConditions(ds: ProcessedDataset, split: "valid" | "test"): { foldIn: EntryConditions; heldOut: EntryConditions } {
  return split === "valid"
    ? { foldIn: entryConditionsOf(ds, "validFoldIn"), heldOut: entryConditionsOf(ds, "validHeldOut") }
    : { foldIn: entryConditionsOf(ds, "testFoldIn"), heldOut: entryConditionsOf(ds, "testHeldOut") };
}

export function splitOf(ds: ProcessedDataset, split: "valid" | "test"): HeldOutSplit {
  switch (split) {
    case "valid":
      return ds.valid;
    case "test":
      return ds.test;
    default:
      throw new Error(`unknown split "${String(split)}"; expected valid or test`);
  }
}

/** Ranks every evaluation row of a split with `ranker` and averages the metrics. */
export async function evaluate(
  ds: ProcessedDataset,
  split: "valid" | "test",
  ranker: Ranker,
  options: EvaluateOptions,
): Promise<EvaluationResult> {
  const { conditioned, batchSize = 1000 } = options;
  const data = splitOf(ds, split);
  if (data.userIds.length === 0) {
    throw new Error(
      `data set "${ds.name}" has no ${split === "valid" ? "validation" : "test"} users to evaluate on; prepare it with heldout >= 1`,
    );
  }
  const conditions = splitConditions(ds, split);
  const rows = evaluationRows(data, conditions, conditioned);
  const C = ds.conditions.labels.length;
  const n = rows.users.length;
  const all = Object.fromEntries(METRICS.map((m) => [m.key, new Float64Array(n)])) as RowMetrics;
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(n, from + batchSize);
    const batch = buildBatch(data.foldIn, data.heldOut, rows, from, to, { dropout: 0, latentDim: 0, targetConditions: conditions.heldOut });
    const top = await ranker(batch, RANK_DEPTH);
    const m = rowMetrics(top, batch.tgtPtr, batch.tgtItems, batch.rows);
    for (const { key } of METRICS) all[key].set(m[key], from);
  }
  const first = METRICS[0].key; // NaN in every metric for a row without a target
  const mean = (from: number, to: number, keep: (i: number) => boolean = () => true): Metrics => {
    let count = 0;
    const sum = metricValues(() => 0);
    for (let i = from; i < to; i++) {
      if (!keep(i) || Number.isNaN(all[first][i])) continue;
      count++;
      for (const { key } of METRICS) sum[key] += all[key][i];
    }
    return { ...metricValues((key) => (count ? sum[key] / count : NaN)), rows: count };
  };
  const perCondition: ConditionMetrics[] = [];
  if (conditioned) {
    for (let c = 0; c < C; c++) {
      const m = mean(rows.zeroRows, n, (i) => rows.conditions[i] === c);
      if (m.rows > 0) perCondition.push({ genre: ds.conditions.labels[c], ...m });
    }
  }
  return {
    split,
    conditionKind: ds.conditions.kind,
    unconditioned: mean(0, rows.zeroRows),
    conditioned: conditioned ? mean(rows.zeroRows, n) : null,
    conditionInput: options.conditionInput ?? true,
    perGenre: perCondition,
  };
}

/**
 * The popularity baseline: items ranked by how many training users have them. Under an
 * item condition, items having it come first (by popularity), then the rest; under a
 * context, items by their training interactions in that context, ties by popularity.
 */
export function popularityRanker(ds: ProcessedDataset): Ranker {
  const pop = columnCounts(ds.train.matrix);
  const m = pop.length;
  const C = ds.conditions.labels.length;
  const train = entryConditionsOf(ds, "train");
  // boost[c * m + i]: the first sort key under condition c.
  const boost = new Float32Array(C * m);
  const offset = ds.train.matrix.rows + 1; // larger than any popularity
  const t = ds.train.matrix;
  if (train.scope === "item") for (let i = 0; i < m; i++) for (let c = 0; c < C; c++) boost[c * m + i] = train.table[i * C + c];
  else for (let k = 0; k < t.indices.length; k++) boost[train.contexts[k] * m + t.indices[k]]++;
  return (batch, k) => {
    const scores = new Float32Array(batch.rows * m);
    for (let r = 0; r < batch.rows; r++) {
      const c = batch.cond[r];
      for (let i = 0; i < m; i++) scores[r * m + i] = pop[i] + (c >= 0 ? boost[c * m + i] * offset : 0);
    }
    return topKExcluding(scores, batch, m, k);
  };
}

export type ResultRow = { method: string; protocol: string } & Metrics;

/** The name of the conditioned protocol: "conditioned (genre rows)", "conditioned (daypart rows)", ... */
export function conditionedProtocol(kind: ConditionKind): string {
  return `conditioned (${conditionNoun(kind)} rows)`;
}

/**
 * The condition rows of a ranker that does not see the condition (a Mult-VAE): the same rows
 * and targets as the conditioned protocol, ranked without it: "genre rows, no condition input".
 */
export function unconditionedOnConditionRows(kind: ConditionKind): string {
  return `${conditionNoun(kind)} rows, no condition input`;
}

/** One row per (method, protocol), for tables. */
export function resultRows(results: Record<string, EvaluationResult>): ResultRow[] {
  const out: ResultRow[] = [];
  for (const [method, r] of Object.entries(results)) {
    out.push({ method, protocol: "unconditioned", ...r.unconditioned });
    const protocol = r.conditionInput === false ? unconditionedOnConditionRows(r.conditionKind) : conditionedProtocol(r.conditionKind);
    if (r.conditioned) out.push({ method, protocol, ...r.conditioned });
  }
  return out;
}

/**
 * Per-condition conditioned values of one metric (default nDCG@100) of several methods side by side;
 * the label column is headed "genre" for every condition kind (as tables have always shown it).
 */
export function perConditionRows(
  results: Record<string, EvaluationResult>,
  metric: MetricKey = "ndcg100",
): Record<string, string | number>[] {
  const label = metricLabel(metric);
  const byCondition = new Map<ConditionLabel, Record<string, string | number>>();
  for (const [method, r] of Object.entries(results)) {
    for (const c of r.perGenre) {
      const row = byCondition.get(c.genre) ?? { genre: c.genre, rows: c.rows };
      row[`${method} ${label}`] = c[metric];
      byCondition.set(c.genre, row);
    }
  }
  return [...byCondition.values()].sort((a, b) => Number(b.rows) - Number(a.rows));
}

/** The name a trained model goes by in result tables. */
export function methodName(model: { conditioned: boolean }): string {
  return model.conditioned ? "C-VAE" : "Mult-VAE";
}

/** Several models (each under its method name, which must differ) and the popularity baseline, on a split under both protocols. */
export async function compareModelsWithPopularity(
  ds: ProcessedDataset,
  split: "valid" | "test",
  models: readonly { conditioned: boolean; rank: Ranker }[],
): Promise<Record<string, EvaluationResult>> {
  const out: Record<string, EvaluationResult> = {};
  for (const model of models) {
    const name = methodName(model);
    if (out[name]) throw new Error(`compare: two models named "${name}"`);
    // A trained model ranks on the process's backend (on webgpu: the GPU); rankers of other kinds rank as they are.
    const scorer = model instanceof CvaeModel ? await openScorer(model) : null;
    try {
      const rank: Ranker = scorer ? (b, k) => scorer.rank(b, k) : (b, k) => model.rank(b, k);
      out[name] = await evaluate(ds, split, rank, { conditioned: true, conditionInput: model.conditioned });
    } finally {
      await scorer?.close();
    }
  }
  out.popularity = await evaluate(ds, split, popularityRanker(ds), { conditioned: true });
  return out;
}

/**
 * A model and the popularity baseline on a split under both protocols, keyed by method
 * name (the model first): what notebook 03, `cvae train` and `cvae evaluate` report.
 */
export async function compareWithPopularity(
  ds: ProcessedDataset,
  split: "valid" | "test",
  model: { conditioned: boolean; rank: Ranker },
): Promise<Record<string, EvaluationResult>> {
  return compareModelsWithPopularity(ds, split, [model]);
}
