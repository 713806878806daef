// A real-like LatentSet for figure tests: many conditions whose centroids sit close together.
import type { LatentSet } from "../../lib/analysis/latent";
import { Rng } from "../../lib/core/rng";

// Real-like: 19 genres whose centroids sit close together (users vary much more than genres
// shift them), as on MovieLens, where the labels used to pile up in the middle.
export function crowdedSet(genres: readonly string[], users: number, shift: number): LatentSet {
  const D = 8;
  const rng = new Rng(3);
  const rows = users * (genres.length + 1);
  const z = new Float32Array(rows * D);
  const base = Array.from({ length: users * D }, () => 1.5 * rng.normal());
  const offset = Array.from({ length: genres.length * D }, () => shift * rng.normal());
  const userOf = Int32Array.from({ length: rows }, (_, r) => r % users);
  const condition = Int32Array.from({ length: rows }, (_, r) => Math.floor(r / users) - 1);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < D; j++)
      z[r * D + j] = base[userOf[r] * D + j] + (condition[r] >= 0 ? offset[condition[r] * D + j] : 0) + 0.3 * rng.normal();
  const ids = Int32Array.from({ length: users }, (_, u) => u + 1);
  return { userRows: ids.map((_, u) => u), userIds: ids, userOf, condition, conditions: [...genres], z, dims: D, rows };
}
