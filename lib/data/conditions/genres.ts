// Genre statistics of a data set: the conditions the C-VAE is trained on. Movies per
// genre, positive interactions per genre, the IMAX breakdown (IMAX is a camera format,
// not a genre: which genres do IMAX movies have?), genre co-occurrence with Jaccard
// similarity, and genres per user (c_u), which sets the number of conditioned rows.
import type { ProcessedDataset } from "../schema";
import { itemEntryConditions, rowConditions } from "./conditions";
import type { Genre, MovieTable } from "../schema";

export interface GenreCount {
  genre: Genre;
  count: number;
  /** count / the total named in each function's doc. */
  share: number;
}

function sortedCounts(counts: Map<Genre, number>, total: number): GenreCount[] {
  return [...counts.entries()]
    .map(([genre, count]) => ({ genre, count, share: total > 0 ? count / total : 0 }))
    .sort((a, b) => b.count - a.count || a.genre.localeCompare(b.genre));
}

/** Movies carrying each genre label; share = of all movies in the catalogue. */
export function moviesPerGenre(movies: MovieTable): GenreCount[] {
  const counts = new Map<Genre, number>();
  for (const gs of movies.genres) for (const g of gs) counts.set(g, (counts.get(g) ?? 0) + 1);
  return sortedCounts(counts, movies.genres.length);
}

/**
 * Positive interactions (ratings >= 4 of users kept by the filters) whose movie carries
 * each genre; share = of all such interactions (shares sum to more than 1: movies have
 * several genres).
 */
export function interactionsPerGenre(ds: ProcessedDataset): GenreCount[] {
  const counts = new Map<Genre, number>();
  let total = 0;
  ds.movies.genres.forEach((gs, row) => {
    const n = ds.moviePositiveCounts[row];
    total += n;
    if (n > 0) for (const g of gs) counts.set(g, (counts.get(g) ?? 0) + n);
  });
  return sortedCounts(counts, total);
}

export interface ImaxBreakdown {
  label: Genre;
  movies: number;
  /** Other genres of those movies; share = of the IMAX movies. */
  genres: GenreCount[];
}

/** The genres of movies labelled `label` (default IMAX), counts and shares, most common first. */
export function imaxBreakdown(movies: MovieTable, label: Genre = "IMAX"): ImaxBreakdown {
  const counts = new Map<Genre, number>();
  let n = 0;
  for (const gs of movies.genres) {
    if (!gs.includes(label)) continue;
    n++;
    for (const g of gs) if (g !== label) counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return { label, movies: n, genres: sortedCounts(counts, n) };
}

export interface Cooccurrence {
  genres: Genre[];
  /** counts[i][j]: movies with both genres i and j (diagonal: movies with genre i). */
  counts: number[][];
  /** jaccard[i][j] = |both| / |either|; 1 on the diagonal. */
  jaccard: number[][];
}

/** Genre co-occurrence over the movies of the catalogue, in the order of `genres` (default: by frequency). */
export function genreCooccurrence(movies: MovieTable, genres: Genre[] = moviesPerGenre(movies).map((g) => g.genre)): Cooccurrence {
  const index = new Map(genres.map((g, k) => [g, k]));
  const G = genres.length;
  const counts = Array.from({ length: G }, () => new Array<number>(G).fill(0));
  for (const gs of movies.genres) {
    const ks = gs.map((g) => index.get(g)).filter((k): k is number => k !== undefined);
    for (const a of ks) for (const b of ks) counts[a][b]++;
  }
  return { genres, counts, jaccard: jaccardOf(counts) };
}

/** Jaccard similarity from co-occurrence counts (diagonal: each label's own count): |both| / |either|, 0 when neither. */
export function jaccardOf(counts: readonly (readonly number[])[]): number[][] {
  return counts.map((row, i) =>
    row.map((both, j) => {
      const either = counts[i][i] + counts[j][j] - both;
      return either > 0 ? both / either : 0;
    }),
  );
}

export interface GenresPerUser {
  /** c_u for each training user: distinct genres among their training items. */
  perUser: Int32Array;
  /** users[c] = training users with c_u = c, for c = 0..max. */
  histogram: number[];
  mean: number;
  /** Rows of the full conditioned training set: sum over users of c_u + 1 (the zero condition). */
  conditionedRows: number;
  users: number;
}

/**
 * c_u over the training users of a processed data set: the genres among each user's items (the
 * conditioned rows of a genre set; another kind's rows per user are its contexts or decades).
 */
export function genresPerUser(ds: ProcessedDataset): GenresPerUser {
  const rows = rowConditions(ds.train.matrix, itemEntryConditions(ds.itemGenres));
  const G = ds.genres.length;
  const U = ds.train.matrix.rows;
  const perUser = Int32Array.from({ length: U }, (_, u) => rows.indptr[u + 1] - rows.indptr[u]);
  const histogram = new Array<number>(G + 1).fill(0);
  let sum = 0;
  for (const c of perUser) {
    histogram[c]++;
    sum += c;
  }
  while (histogram.length > 1 && histogram[histogram.length - 1] === 0) histogram.pop();
  return { perUser, histogram, mean: U ? sum / U : 0, conditionedRows: sum + U, users: U };
}

/** One line on c_u and the size of the conditioned training set. */
export function describeGenresPerUser(cu: GenresPerUser): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return (
    `mean c_u = ${cu.mean.toFixed(2)}; conditioned rows per epoch = Σ (c_u + 1) = ${n(cu.conditionedRows)} ` +
    `for ${n(cu.users)} users (${(cu.conditionedRows / Math.max(1, cu.users)).toFixed(1)} rows per user)`
  );
}
