// Ranking metrics for top-N recommendation, as in Liang et al. (2018) and the C-VAE paper:
// items the user gave as input (fold-in) are excluded from the ranking; relevance is binary.
//   nDCG@k   = DCG@k / IDCG@k, DCG = sum over ranks r <= k of rel_r / log2(r + 1),
//              IDCG over min(k, |held-out|) relevant items;
//   Recall@k = hits in the top k / min(k, |held-out|).
// METRICS is the registry: evaluation, result tables, the CLI and the figures all read it,
// so adding a metric is one entry here.

/** One metric of one row: `top` holds the row's ranked items from `offset` (-1 = padding). */
export type RowScore = (top: Int32Array, offset: number, relevant: ReadonlySet<number>) => number;

export interface MetricSpec {
  /** Key in results and tables, e.g. "ndcg100". */
  key: string;
  /** Label for people, e.g. "nDCG@100". */
  label: string;
  /** How many ranks the metric reads. */
  depth: number;
  score: RowScore;
}

/** nDCG at cutoff k. */
export function ndcgAt(k: number): RowScore {
  const disc = new Float64Array(k);
  const ideal = new Float64Array(k + 1);
  for (let r = 0; r < k; r++) {
    disc[r] = 1 / Math.log2(r + 2);
    ideal[r + 1] = ideal[r] + disc[r];
  }
  return (top, offset, relevant) => {
    let dcg = 0;
    for (let pos = 0; pos < k; pos++) {
      const item = top[offset + pos];
      if (item >= 0 && relevant.has(item)) dcg += disc[pos];
    }
    return dcg / ideal[Math.min(k, relevant.size)];
  };
}

/** Recall at cutoff k, normalised by min(k, |relevant|). */
export function recallAt(k: number): RowScore {
  return (top, offset, relevant) => {
    let hits = 0;
    for (let pos = 0; pos < k; pos++) {
      const item = top[offset + pos];
      if (item >= 0 && relevant.has(item)) hits++;
    }
    return hits / Math.min(k, relevant.size);
  };
}

/** The metrics of the study. */
export const METRICS = [
  { key: "ndcg100", label: "nDCG@100", depth: 100, score: ndcgAt(100) },
  { key: "recall20", label: "Recall@20", depth: 20, score: recallAt(20) },
  { key: "recall50", label: "Recall@50", depth: 50, score: recallAt(50) },
] as const satisfies readonly MetricSpec[];

export type MetricKey = (typeof METRICS)[number]["key"];
export type MetricValues = Record<MetricKey, number>;
/** Per-row values of every metric. */
export type RowMetrics = Record<MetricKey, Float64Array>;

/** How deep rankers must rank: the deepest metric's cutoff. */
export const RANK_DEPTH: number = Math.max(...METRICS.map((m) => m.depth));

export function metricLabel(key: MetricKey): string {
  const spec = METRICS.find((m) => m.key === key);
  if (!spec) throw new Error(`unknown metric "${String(key)}"; metrics: ${METRICS.map((m) => m.key).join(", ")}`);
  return spec.label;
}

/** A record with every metric set to `value`. */
export function metricValues(value: (key: MetricKey) => number): MetricValues {
  return Object.fromEntries(METRICS.map((m) => [m.key, value(m.key)])) as MetricValues;
}

/**
 * Every metric per row from top lists (rows x width, width >= RANK_DEPTH) and the rows'
 * relevant items (CSR over the batch rows). Rows without relevant items get NaN.
 */
export function rowMetrics(
  top: Int32Array,
  relevantPtr: Int32Array,
  relevantItems: Int32Array,
  rows: number,
  width = RANK_DEPTH,
): RowMetrics {
  if (width < RANK_DEPTH) throw new RangeError(`rowMetrics: top lists of ${width} items, the metrics read ${RANK_DEPTH}`);
  const out = Object.fromEntries(METRICS.map((m) => [m.key, new Float64Array(rows)])) as RowMetrics;
  for (let r = 0; r < rows; r++) {
    const rel = new Set(relevantItems.subarray(relevantPtr[r], relevantPtr[r + 1]));
    for (const m of METRICS) out[m.key][r] = rel.size === 0 ? NaN : m.score(top, r * width, rel);
  }
  return out;
}
