// The hand-built latent construction of the claims tests (shared by claims.test.ts and
// claim-intervals.test.ts).
import type { ClaimsInput } from "../../lib/analysis/claims/claims";
import type { Cooccurrence } from "../../lib/data/conditions/genres";
import type { LatentSet } from "../../lib/analysis/latent";
import type { GroundTruth } from "../../lib/data/synthetic/planted";
import { Rng } from "../../lib/core/rng";

// A synthetic LatentSet built by hand (no model), 60 users x 6 latent dims, in which every
// claim holds by construction:
//
// - The 14 named genres sit at 2-d map positions LAYOUT (centred to mean 0), placed on latent
//   dims 1 and 4; each genre's 60 rows are its centre plus N(0, 0.15^2) noise on all 6 dims.
//   The map encodes the claims: War (-1,4) is 2.24 from Drama and Romance and 7.6+ from Children
//   and Animation; Horror (3,-2) is midway between Thriller (4,0) and Sci-Fi (2,-4) (ratio 1.0) and
//   9.2 from Western; Thriller, Mystery, Crime are 1.41-2 apart; Film-Noir (8,0) has the largest
//   nearest-genre distance (3.16) and its nearest are Mystery, Crime, Thriller (then Horror).
// - "(no genres listed)" sits at 30 on dim 5, where no other genre has anything: very far.
// - The unconditioned rows have their centroid exactly at the origin (the centre of the genre
//   map): they form a cross on dims 0, 2 and 3 (20 users each at +-33.5, +-21.2, +-19 on one dim,
//   antithetic pairs, so the mean is 0 to rounding).
// - Popularity decreases with the distance from the origin; the Jaccard co-occurrence is
//   exp(-d^2 / 8) of the map distances, the planted distances are the map distances.
//
// The cross is there to make the plotted plane known. Without the neutral rows the variances
// per dim are about (by hand: 20 s^2 / 899 for the cross, 60 mu / 899 for the map's eigenvalues mu
// = 192 and 89 of sum_g c c^T): dim 0: 25, map major axis: 12.8, dim 2: 10, dim 3: 8, map minor
// axis: 5.9, dim 5: 0.02. So PC1 = dim 0, PC2 and PC5 span the map plane (dims 1 and 4) and PC3,
// PC4 = dims 2, 3: the paper's plane PC2 x PC5 shows the map itself, with distances unchanged.
// Hence every claim is also asserted to hold in the plane. (PC1 of all rows, where claim (b) is
// measured in the plane column, is dim 5: the neutral rows' variance is about 53.)

export const NEUTRAL = "(no genres listed)";
export const GENRES = [
  "(no genres listed)",
  "Action",
  "Animation",
  "Children",
  "Comedy",
  "Crime",
  "Drama",
  "Film-Noir",
  "Horror",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
];
export type Layout = Record<string, readonly [number, number]>;
export const LAYOUT: Layout = {
  Action: [1, -2],
  Animation: [-3, -4],
  Children: [-4, -3],
  Comedy: [-3, 0],
  Crime: [5, -1],
  Drama: [0, 2],
  "Film-Noir": [8, 0],
  Horror: [3, -2],
  Mystery: [5, 1],
  Romance: [-2, 2],
  "Sci-Fi": [2, -4],
  Thriller: [4, 0],
  War: [-1, 4],
  Western: [-4, 4],
};
export const USERS = 60;
export const DIMS = 6;
export const CLAIM_IDS = ["a", "b", "c1", "c2", "c3", "d", "e", "f", "g1", "g2"];

export interface Construction {
  genres?: readonly string[];
  layout?: Layout;
  /** Noise of every row (default 0.15). */
  sigma?: number;
  /** Centre of the neutral genre (default 30 on dim 5). */
  neutral?: readonly number[];
  /** Added to the unconditioned rows on dim 1 (default 0: centroid at the origin). */
  noConditionShift?: number;
}

export function construct(c: Construction = {}): ClaimsInput & { centre: (g: string) => number[] } {
  const { genres = GENRES, layout = LAYOUT, sigma = 0.15, neutral = [0, 0, 0, 0, 0, 30], noConditionShift = 0 } = c;
  const named = genres.filter((g) => g !== NEUTRAL);
  const mean = [0, 1].map((k) => named.reduce((s, g) => s + layout[g][k], 0) / named.length);
  const centre = (g: string): number[] => (g === NEUTRAL ? [...neutral] : [0, layout[g][0] - mean[0], 0, 0, layout[g][1] - mean[1], 0]);
  const rng = new Rng(5);
  const rows = USERS * (genres.length + 1);
  const z = new Float32Array(rows * DIMS);
  const userOf = new Int32Array(rows);
  const condition = new Int32Array(rows);
  // Unconditioned rows 0..59: the cross (user b*20 + i and its antithetic partner b*20 + i + 10).
  const cross: [number, number][] = [
    [0, 33.5],
    [2, 21.2],
    [3, 19],
  ];
  for (let u = 0; u < USERS; u++) {
    userOf[u] = u;
    condition[u] = -1;
  }
  cross.forEach(([dim, s], b) => {
    for (let i = 0; i < 10; i++) {
      const u = b * 20 + i;
      const v = Array.from({ length: DIMS }, () => sigma * rng.normal());
      v[dim] += s;
      for (let j = 0; j < DIMS; j++) {
        z[u * DIMS + j] = v[j] + (j === 1 ? noConditionShift : 0);
        z[(u + 10) * DIMS + j] = -v[j] + (j === 1 ? noConditionShift : 0);
      }
    }
  });
  genres.forEach((g, k) => {
    const ce = centre(g);
    for (let u = 0; u < USERS; u++) {
      const r = (k + 1) * USERS + u;
      userOf[r] = u;
      condition[r] = k;
      for (let j = 0; j < DIMS; j++) z[r * DIMS + j] = ce[j] + sigma * rng.normal();
    }
  });
  const set: LatentSet = {
    userRows: Int32Array.from({ length: USERS }, (_, i) => i),
    userIds: Int32Array.from({ length: USERS }, (_, i) => 1000 + i),
    userOf,
    condition,
    conditions: [...genres],
    z,
    dims: DIMS,
    rows,
  };
  const dist = (a: string, b: string) => Math.hypot(...centre(a).map((v, j) => v - centre(b)[j]));
  const popularity = Object.fromEntries(genres.map((g) => [g, Math.round(100000 / (1 + Math.hypot(...centre(g))))]));
  // Co-occurrence in another order than the set's genres (claims look genres up by name), with
  // counts of two 100-movie genres and the Jaccard recomputed from them: both / (200 - both).
  const coGenres = [...genres].reverse();
  const both = coGenres.map((a) =>
    coGenres.map((b) => (a === b ? 100 : Math.round((200 * Math.exp(-(dist(a, b) ** 2) / 8)) / (1 + Math.exp(-(dist(a, b) ** 2) / 8))))),
  );
  const cooccurrence: Cooccurrence = { genres: coGenres, counts: both, jaccard: both.map((row) => row.map((n) => n / (200 - n))) };
  const truth: GroundTruth = {
    format: "cvae-lens/synthetic-ground-truth",
    version: 1,
    description: "hand-built test construction",
    genres: [...genres],
    axes: ["map x", "map y"],
    positions: Object.fromEntries(genres.map((g) => [g, centre(g)])),
    distances: genres.map((a) => genres.map((b) => dist(a, b))),
    affinity: genres.map((a) => genres.map((b) => Math.exp(-(dist(a, b) ** 2) / 8))),
    affinityWidth: 2,
    plantedGroups: [["Thriller", "Mystery", "Crime"]],
    genreMovieFrequencies: {},
    ratingShares: [],
  };
  return { set, popularity, cooccurrence, truth, centre };
}

/** The construction with its rows' conditions shuffled (seeded): the same points, no structure by condition left. */
export function withShuffledConditions(input: ClaimsInput, seed: number): ClaimsInput {
  const condition = new Rng(seed).shuffle(Int32Array.from(input.set.condition));
  return { ...input, set: { ...input.set, condition } };
}
