// Ranking metrics for top-N recommendation, as in Liang et al. (2018) and the C-VAE paper:
// items the user gave as input (fold-in) are excluded from the ranking; relevance is binary.
//   nDCG@k   = DCG@k / IDCG@k, DCG = sum over ranks r <= k of rel_r / log2(r + 1),
//              IDCG over min(k, |held-out|) relevant items;
//   Recall@k = hits in the top k / min(k, |held-out|).

/** Discount 1 / log2(r + 1) for ranks r = 1..k, and its prefix sums (ideal DCGs). */
function discounts(k: number): { disc: Float64Array; ideal: Float64Array } {
  const disc = new Float64Array(k);
  const ideal = new Float64Array(k + 1);
  for (let r = 0; r < k; r++) {
    disc[r] = 1 / Math.log2(r + 2);
    ideal[r + 1] = ideal[r] + disc[r];
  }
  return { disc, ideal };
}

export interface RowMetrics {
  ndcg100: Float64Array;
  recall20: Float64Array;
  recall50: Float64Array;
}

/**
 * nDCG@100, Recall@20 and Recall@50 per row from top-100 lists (rows x 100) and the rows'
 * relevant items (CSR over the batch rows). Rows without relevant items get NaN.
 */
export function rowMetrics(top: Int32Array, relevantPtr: Int32Array, relevantItems: Int32Array, rows: number, k = 100): RowMetrics {
  const { disc, ideal } = discounts(k);
  const out = { ndcg100: new Float64Array(rows), recall20: new Float64Array(rows), recall50: new Float64Array(rows) };
  for (let r = 0; r < rows; r++) {
    const rel = new Set(relevantItems.subarray(relevantPtr[r], relevantPtr[r + 1]));
    const n = rel.size;
    if (n === 0) {
      out.ndcg100[r] = out.recall20[r] = out.recall50[r] = NaN;
      continue;
    }
    let dcg = 0;
    let hits20 = 0;
    let hits50 = 0;
    for (let pos = 0; pos < k; pos++) {
      const item = top[r * k + pos];
      if (item >= 0 && rel.has(item)) {
        dcg += disc[pos];
        if (pos < 20) hits20++;
        if (pos < 50) hits50++;
      }
    }
    out.ndcg100[r] = dcg / ideal[Math.min(k, n)];
    out.recall20[r] = hits20 / Math.min(20, n);
    out.recall50[r] = hits50 / Math.min(50, n);
  }
  return out;
}
