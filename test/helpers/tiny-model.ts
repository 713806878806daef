// A tiny C-VAE and one training batch for the model tests: 12 items, 3 conditions,
// hidden 7, latent 3, 5 rows (two without a condition).
import { Rng } from "../../lib/core/rng";
import { itemEntryConditions } from "../../lib/data/conditions/conditions";
import { csrFromPairs } from "../../lib/data/sparse";
import { buildBatch, type Rows } from "../../lib/model/batch";
import { initParams, paramLayout, paramView } from "../../lib/model/parameters";

const dims = { items: 12, conditions: 3, hidden: 7, latentDim: 3 };
const layout = paramLayout(dims);

export function fixture(seed: number) {
  const rng = new Rng(seed);
  const params = initParams(layout, rng);
  // Larger biases than the paper's 0.001 so their gradients are not vanishingly small.
  for (const b of ["b1", "b2", "b3", "b4"] as const) paramView(params, layout, b).forEach((_, i, a) => (a[i] = 0.3 * rng.normal()));
  const pairs: [number, number][] = [];
  for (let u = 0; u < 5; u++) for (let i = 0; i < 12; i++) if ((u * 7 + i * 3) % 4 === 0) pairs.push([u, i]);
  const matrix = csrFromPairs(
    5,
    12,
    pairs.map((p) => p[0]),
    pairs.map((p) => p[1]),
  );
  const itemGenres = csrFromPairs(
    12,
    3,
    Array.from({ length: 12 }, (_, i) => i),
    Array.from({ length: 12 }, (_, i) => i % 3),
  );
  const rows: Rows = { users: Int32Array.from([0, 1, 2, 3, 4]), conditions: Int32Array.from([-1, 0, 1, -1, 2]) };
  const batch = buildBatch(matrix, matrix, rows, 0, 5, {
    dropout: 0.5,
    latentDim: dims.latentDim,
    rng,
    targetConditions: itemEntryConditions(itemGenres),
  });
  return { params, batch };
}

export const tinyModel = { dims, layout, fixture };
