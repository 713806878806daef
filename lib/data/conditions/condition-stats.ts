// Statistics of the conditions of any kind, the counterparts of genres.ts's genre ones:
// training interactions per condition (its popularity) and the co-occurrence of conditions
// over training users (Jaccard of the sets of users having each). For genres the study keeps
// genres.ts's catalogue-based figures, as the paper does; the claims use these for the other kinds.
import { entryConditionsOf, rowConditions } from "./conditions";
import { type Cooccurrence, jaccardOf } from "./genres";
import type { ProcessedDataset } from "../schema";

/** Training interactions having each condition, by label. */
export function conditionPopularity(ds: ProcessedDataset): Record<string, number> {
  const { labels } = ds.conditions;
  const C = labels.length;
  const e = entryConditionsOf(ds, "train");
  const t = ds.train.matrix;
  const counts = new Array<number>(C).fill(0);
  for (let k = 0; k < t.indices.length; k++) {
    if (e.scope === "interaction") counts[e.contexts[k]]++;
    else for (let c = 0; c < C; c++) counts[c] += e.table[t.indices[k] * C + c];
  }
  return Object.fromEntries(labels.map((l, c) => [l, counts[c]]));
}

/** counts[i][j]: training users having both conditions (diagonal: users having i); Jaccard of those user sets. */
export function conditionCooccurrence(ds: ProcessedDataset): Cooccurrence {
  const { labels } = ds.conditions;
  const C = labels.length;
  const rows = rowConditions(ds.train.matrix, entryConditionsOf(ds, "train"));
  const counts = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  for (let u = 0; u < rows.rows; u++) {
    const have = rows.indices.subarray(rows.indptr[u], rows.indptr[u + 1]);
    for (const a of have) for (const b of have) counts[a][b]++;
  }
  return { genres: [...labels], counts, jaccard: jaccardOf(counts) };
}

export interface ConditionRow {
  condition: string;
  /** Training interactions having the condition, and their share of all training interactions. */
  interactions: number;
  share: number;
  /** Training users with at least one such interaction. */
  users: number;
}

/** One row per condition: how many training interactions and users have it (shares of interactions sum to 1 for contexts and decades). */
export function conditionRows(ds: ProcessedDataset): ConditionRow[] {
  const popularity = conditionPopularity(ds);
  const rows = rowConditions(ds.train.matrix, entryConditionsOf(ds, "train"));
  const users = new Array<number>(ds.conditions.labels.length).fill(0);
  for (const c of rows.indices) users[c]++;
  const total = ds.train.matrix.indices.length;
  return ds.conditions.labels.map((label, c) => ({
    condition: label,
    interactions: popularity[label],
    share: total ? popularity[label] / total : 0,
    users: users[c],
  }));
}
