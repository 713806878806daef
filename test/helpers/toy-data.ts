// Hand-made sparse data shared by the batch, sampler and evaluation tests.
import type { Rows } from "../../lib/model/batch";
import { Rng } from "../../lib/core/rng";
import type { Csr } from "../../lib/data/schema";
import { csrFromPairs } from "../../lib/data/sparse";

/** A CSR matrix from one list of columns per row. */
export function csrOf(rows: number[][], cols: number): Csr {
  const r: number[] = [];
  const c: number[] = [];
  rows.forEach((items, u) => items.forEach((i) => (r.push(u), c.push(i))));
  return csrFromPairs(rows.length, cols, r, c);
}

// Hand-made data: 9 items, 4 genres (genre 3 belongs only to item 8, which nobody watched).
export const ITEM_GENRES = [[0], [1], [0, 2], [2], [1], [0, 1], [2], [1], [3]];
export const itemGenres = csrOf(ITEM_GENRES, 4);
// Users: u2 has no items. Genres per user by hand: u0 {0,1}, u1 {2}, u3 {0,1,2}, u4 {1}.
export const HISTORIES = [[0, 1], [3, 6], [], [2, 5, 7], [4]];
export const train = csrOf(HISTORIES, 9);
export const USER_GENRES = [[0, 1], [2], [], [0, 1, 2], [1]];

/** Genres of a user's items, by sets (independent of lib's userGenres). */
export function genresOf(history: number[], genres: number[][]): number[] {
  return [...new Set(history.flatMap((i) => genres[i]))].sort((a, b) => a - b);
}

/** Rows as sorted "user:condition" strings: equal lists = equal multisets. */
export function multiset(rows: Rows): string[] {
  return Array.from(rows.users, (u, k) => `${u}:${rows.conditions[k]}`).sort();
}

/** A random training matrix: 60 users (every 10th has no items), 40 items, 6 genres (genre 5 unused). */
export function randomData(seed: number) {
  const rng = new Rng(seed);
  const genres = Array.from({ length: 40 }, () => {
    const gs = Array.from(rng.sampleWithoutReplacement(5, 1 + rng.integer(2)));
    return gs.sort((a, b) => a - b);
  });
  const histories = Array.from({ length: 60 }, (_, u) =>
    u % 10 === 0 ? [] : Array.from(rng.sampleWithoutReplacement(40, 1 + rng.integer(6))).sort((a, b) => a - b),
  );
  return { genres, histories, train: csrOf(histories, 40), itemGenres: csrOf(genres, 6) };
}
