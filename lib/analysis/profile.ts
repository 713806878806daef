// User profiles read from the latent space (the paper's section 3.1.1 and its future
// work). For a user encoded without a condition:
//  - profile genres: the genre centroids nearest to the user's latent point;
//  - the "light entertainment <-> serious" position: the projection on the direction from
//    the Comedy/Romance centroids to the Thriller/Action/Crime centroids (from centroids,
//    not hard-coded coordinates);
//  - profiling hints: genres the user leans to more than other users do, with how unusual
//    that lean is (its percentile among the sampled users).
import { entryConditionsOf, entryHas } from "../data/conditions/conditions";
import { conditionPopularity } from "../data/conditions/condition-stats";
import { interactionsPerGenre } from "../data/conditions/genres";
import { encodeUnderConditions, type LatentSet, userTopGenres } from "./latent";
import type { CvaeModel } from "../model/cvae-model";
import type { ProcessedDataset } from "../data/schema";
import { NO_GENRES } from "../data/schema";
import { historyItems } from "./recommend";
import { csrFromPairs } from "../data/sparse";
import { spearman } from "./geometry";

export const LIGHT_GENRES = ["Comedy", "Romance"];
export const SERIOUS_GENRES = ["Thriller", "Action", "Crime"];

export interface ProfileSpace {
  genres: string[];
  dims: number;
  /** Centroid of each genre's conditioned latents (genres x dims), and of the unconditioned ones. */
  centroids: Float64Array;
  centre: Float64Array;
  /** Unit vector from the light to the serious centroids, or null if a genre is missing. */
  seriousAxis: Float64Array | null;
  /** Each sampled user's raw genre scores (users x genres), for percentiles. */
  population: Float64Array;
  users: number;
}

/** Centroids and population statistics from a LatentSet. */
export function profileSpace(set: LatentSet): ProfileSpace {
  const { dims: L, conditions: genres } = set;
  const G = genres.length;
  const U = set.userRows.length;
  const centroids = new Float64Array(G * L);
  const centre = new Float64Array(L);
  const counts = new Int32Array(G);
  let zero = 0;
  for (let r = 0; r < set.rows; r++) {
    const c = set.condition[r];
    const o = r * L;
    if (c < 0) {
      zero++;
      for (let j = 0; j < L; j++) centre[j] += set.z[o + j];
    } else {
      counts[c]++;
      for (let j = 0; j < L; j++) centroids[c * L + j] += set.z[o + j];
    }
  }
  for (let j = 0; j < L; j++) centre[j] /= zero;
  for (let g = 0; g < G; g++) for (let j = 0; j < L; j++) centroids[g * L + j] /= Math.max(1, counts[g]);
  const mean = (names: string[]) => {
    const ks = names.map((n) => genres.indexOf(n));
    if (ks.some((k) => k < 0)) return null;
    const v = new Float64Array(L);
    for (const k of ks) for (let j = 0; j < L; j++) v[j] += centroids[k * L + j] / ks.length;
    return v;
  };
  const light = mean(LIGHT_GENRES);
  const serious = mean(SERIOUS_GENRES);
  let seriousAxis: Float64Array | null = null;
  if (light && serious) {
    seriousAxis = serious.map((s, j) => s - light[j]);
    const norm = Math.hypot(...seriousAxis);
    seriousAxis = seriousAxis.map((x) => x / norm);
  }
  const space: ProfileSpace = { genres, dims: L, centroids, centre, seriousAxis, population: new Float64Array(U * G), users: U };
  for (let u = 0; u < U; u++) space.population.set(genreScores(space, set.z.subarray(u * L, (u + 1) * L)), u * G);
  return space;
}

/** Score per genre: minus the distance from the user's point to the genre's centroid. */
export function genreScores(space: ProfileSpace, z: ArrayLike<number>): Float64Array {
  const { dims: L } = space;
  return Float64Array.from(space.genres, (_, g) => {
    let s = 0;
    for (let j = 0; j < L; j++) s += (z[j] - space.centroids[g * L + j]) ** 2;
    return -Math.sqrt(s);
  });
}

/** Position along light (negative) <-> serious (positive), relative to the unconditioned centre. */
export function seriousPosition(space: ProfileSpace, z: ArrayLike<number>): number {
  if (!space.seriousAxis) return NaN;
  let s = 0;
  for (let j = 0; j < space.dims; j++) s += (z[j] - space.centre[j]) * space.seriousAxis[j];
  return s;
}

/** The n nearest genre centroids (the neutral genre left out). */
export function profileGenres(space: ProfileSpace, z: ArrayLike<number>, n = 3): string[] {
  const scores = genreScores(space, z);
  return space.genres
    .map((g, k) => [g, scores[k]] as const)
    .filter(([g]) => g !== NO_GENRES)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([g]) => g);
}

export interface Hint {
  genre: string;
  /** Share of the sampled users whose lean to this genre is weaker: 0.97 = stronger than 97 %. */
  percentile: number;
}

/** Genres the user leans to more than the median sampled user does (up to n), most unusual first. */
export function hintsFor(space: ProfileSpace, z: ArrayLike<number>, n = 3): Hint[] {
  const scores = genreScores(space, z);
  const G = space.genres.length;
  const out: Hint[] = [];
  for (let g = 0; g < G; g++) {
    if (space.genres[g] === NO_GENRES) continue;
    let below = 0;
    for (let u = 0; u < space.users; u++) if (space.population[u * G + g] < scores[g]) below++;
    out.push({ genre: space.genres[g], percentile: below / space.users });
  }
  // A hint is a lean stronger than the median user's: "stronger than 0 %" would be no hint at all.
  return out
    .filter((h) => h.percentile > 0.5)
    .sort((a, b) => b.percentile - a.percentile || a.genre.localeCompare(b.genre))
    .slice(0, n);
}

/**
 * Profiling hints for any history (movie ids): the user is encoded without a condition
 * and compared with the reference population of `space`.
 */
export async function profilingHints(
  model: CvaeModel,
  ds: ProcessedDataset,
  space: ProfileSpace,
  history: readonly number[],
  n = 3,
): Promise<{ hints: Hint[]; profile: string[]; serious: number; unknownMovies: number[] }> {
  const { items, unknownMovies } = historyItems(ds, history);
  if (items.length === 0) throw new Error(`profilingHints: none of the ${history.length} movies is known to the model; nothing to profile`);
  // A one-user data set whose training matrix is the history, so the shared encoder applies.
  const one = {
    ...ds,
    train: {
      userIds: Int32Array.of(0),
      matrix: csrFromPairs(
        1,
        ds.summary.items,
        items.map(() => 0),
        items,
      ),
    },
  };
  const set = await encodeUnderConditions(model, one, Int32Array.of(0));
  const z = set.z.subarray(0, set.dims);
  return { hints: hintsFor(space, z, n), profile: profileGenres(space, z, n), serious: seriousPosition(space, z), unknownMovies };
}

export interface ProfileAgreement {
  users: number;
  /** Mean |profile top-3 ∩ watched top-3| / 3. */
  overlapAt3: number;
  /** The same for the popularity baseline (the 3 most popular genres for everyone). */
  popularityOverlapAt3: number;
  /** Spearman, over users, of the serious position and (serious - light) share of the history. */
  seriousAxisSpearman: number;
}

/** Agreement of latent profiles with what the sampled users actually watched. */
export function profileAgreement(
  space: ProfileSpace,
  set: LatentSet,
  watchedTop: readonly (readonly string[])[],
  watchedShares: readonly Record<string, number>[],
  popularTop: readonly string[],
): ProfileAgreement {
  const U = set.userRows.length;
  let overlap = 0;
  let baseline = 0;
  for (let u = 0; u < U; u++) {
    const z = set.z.subarray(u * set.dims, (u + 1) * set.dims); // rows 0..U-1 are the unconditioned ones
    const top = watchedTop[u].slice(0, 3);
    overlap += profileGenres(space, z, 3).filter((g) => top.includes(g)).length / 3;
    baseline += popularTop.slice(0, 3).filter((g) => top.includes(g)).length / 3;
  }
  const axis = seriousAxisPoints(space, set, watchedShares);
  return {
    users: U,
    overlapAt3: overlap / U,
    popularityOverlapAt3: baseline / U,
    seriousAxisSpearman: space.seriousAxis ? spearman(axis.position, axis.lean) : NaN,
  };
}

/**
 * Each user's share of history items per condition (users in the order of `userRows`): per
 * genre or decade of the items, or per context the user rated them in.
 */
export function watchedShares(ds: ProcessedDataset, userRows: ArrayLike<number>): Record<string, number>[] {
  const m = ds.train.matrix;
  const labels = ds.conditions.labels;
  const e = entryConditionsOf(ds, "train");
  return Array.from(userRows, (u) => {
    const n = m.indptr[u + 1] - m.indptr[u];
    const out: Record<string, number> = {};
    for (let k = m.indptr[u]; k < m.indptr[u + 1]; k++) {
      for (let c = 0; c < labels.length; c++) if (entryHas(e, k, m.indices[k], c)) out[labels[c]] = (out[labels[c]] ?? 0) + 1 / n;
    }
    return out;
  });
}

/** A training user's history as movie ids. */
export function trainingHistory(ds: ProcessedDataset, row: number): number[] {
  const m = ds.train.matrix;
  if (!(row >= 0 && row < m.rows)) throw new RangeError(`training user row ${row} outside 0..${m.rows - 1}`);
  return Array.from(m.indices.subarray(m.indptr[row], m.indptr[row + 1]), (i) => ds.itemMovieIds[i]);
}

export interface ProfileCard {
  userId: number;
  /** Nearest genre centroids. */
  profile: string[];
  hints: Hint[];
  /** Light (negative) <-> serious (positive) position and its percentile among the sampled users. */
  serious: number;
  seriousPercentile: number;
  /** The user's genre shares, most watched first. */
  watched: { genre: string; share: number; inProfile: boolean }[];
}

/** Everything the model says about sampled user `u` (index into set.userRows), beside what they watched. */
export function profileCard(space: ProfileSpace, set: LatentSet, shares: Record<string, number>, u: number, n = 3): ProfileCard {
  if (!(u >= 0 && u < set.userRows.length)) throw new RangeError(`sampled user ${u} outside 0..${set.userRows.length - 1}`);
  const z = set.z.subarray(u * set.dims, (u + 1) * set.dims);
  const profile = profileGenres(space, z, n);
  const serious = seriousPosition(space, z);
  let below = 0;
  for (let v = 0; v < set.userRows.length; v++)
    if (seriousPosition(space, set.z.subarray(v * set.dims, (v + 1) * set.dims)) < serious) below++;
  const watched = Object.entries(shares)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([genre, share]) => ({ genre, share, inProfile: profile.includes(genre) }));
  return {
    userId: set.userIds[u],
    profile,
    hints: hintsFor(space, z, n),
    serious,
    seriousPercentile: below / set.userRows.length,
    watched,
  };
}

/** The sampled user whose strongest hint is most unusual (a clear example), by index into set.userRows. */
export function clearestUser(space: ProfileSpace, set: LatentSet): number {
  let best = 0;
  let bestP = -1;
  for (let u = 0; u < set.userRows.length; u++) {
    const p = hintsFor(space, set.z.subarray(u * set.dims, (u + 1) * set.dims), 1)[0]?.percentile ?? 0;
    if (p > bestP) {
      best = u;
      bestP = p;
    }
  }
  return best;
}

/**
 * The index (into set.userRows) of the sampled user with MovieLens id `userId`, or of
 * the clearest lean when no id is given. An id outside the sample is an error naming some
 * that are in it.
 */
export function profileSubject(space: ProfileSpace, set: LatentSet, userId?: number): number {
  if (userId === undefined) return clearestUser(space, set);
  const u = Array.from(set.userIds).indexOf(userId);
  if (u < 0)
    throw new Error(
      `user ${userId} is not among the ${set.userRows.length} sampled users; ` +
        `pick one of e.g. ${Array.from(set.userIds.slice(0, 5)).join(", ")}`,
    );
  return u;
}

/** profileAgreement against the sampled users' three most-watched conditions, with the popularity baseline of `ds`. */
export function agreementWithHistory(
  ds: ProcessedDataset,
  space: ProfileSpace,
  set: LatentSet,
  shares: readonly Record<string, number>[],
): ProfileAgreement {
  // The baseline names the most popular conditions: genres by the catalogue's counts (as before), other kinds by training interactions.
  const popular =
    ds.conditions.kind === "genre"
      ? interactionsPerGenre(ds)
          .map((g) => g.genre)
          .filter((g) => g !== NO_GENRES)
      : Object.entries(conditionPopularity(ds))
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .map(([label]) => label);
  return profileAgreement(space, set, userTopGenres(ds, set.userRows, 3), shares, popular);
}

/** Per sampled user: the latent serious position and the (serious - light) share of the history. */
export function seriousAxisPoints(
  space: ProfileSpace,
  set: LatentSet,
  shares: readonly Record<string, number>[],
): { position: number[]; lean: number[] } {
  const position: number[] = [];
  const lean: number[] = [];
  for (let u = 0; u < set.userRows.length; u++) {
    position.push(seriousPosition(space, set.z.subarray(u * set.dims, (u + 1) * set.dims)));
    lean.push(SERIOUS_GENRES.reduce((a, g) => a + (shares[u][g] ?? 0), 0) - LIGHT_GENRES.reduce((a, g) => a + (shares[u][g] ?? 0), 0));
  }
  return { position, lean };
}
