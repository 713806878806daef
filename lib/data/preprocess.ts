// The preprocessing protocol of Liang et al. (2018), as the C-VAE authors use it:
// binarise (rating > 3.5), keep users with >= 5 such ratings, permute users with a seeded
// RNG, hold out whole users for validation and test, index the items seen in training,
// and split each held-out user's items 80/20 into fold-in and held-out.
// The RNG reproduces numpy's RandomState, so on the same files the split is the very
// split of Liang's notebook, rectorch and the PyTorch reference.
import { mergeOptions } from "../core/options";
import { Rng } from "../core/rng";
import type { Genre, HeldOutSplit, PreprocessOptions, PreprocessSummary, ProcessedDataset, RawDataset, SplitCounts } from "./schema";
import { csrFromPairs, density, nnz, sortRows } from "./sparse";
import { heldoutCount } from "./split";


export function defaultPreprocessOptions(): PreprocessOptions {
  return { seed: 98765, threshold: 3.5, minItems: 5, heldout: null, testProportion: 0.2 };
}






/** Largest id we index with a plain array (MovieLens ids are below 300,000). */
const MAX_DENSE_ID = 1 << 26;

function checkIdRange(maxId: number, what: string): void {
  if (maxId > MAX_DENSE_ID) throw new RangeError(`${what} id ${maxId} is larger than ${MAX_DENSE_ID}; renumber the ids (MovieLens ids are far smaller)`);
}

/** Runs the protocol on a raw data set. Errors explain which filter left nothing. */
export function preprocess(raw: RawDataset, name: string, overrides: Partial<PreprocessOptions> = {}): ProcessedDataset {
  const options = mergeOptions(defaultPreprocessOptions(), overrides, "preprocess options");
  validateOptions(options);
  const { userIds, movieIds, ratings, length: n } = raw.ratings;
  const warnings = [...raw.warnings];

  // Catalogue lookup: movieId -> catalogue row.
  const catalogue = raw.movies;
  let maxMovie = 0;
  for (let k = 0; k < catalogue.movieIds.length; k++) maxMovie = Math.max(maxMovie, catalogue.movieIds[k]);
  for (let r = 0; r < n; r++) if (movieIds[r] > maxMovie) maxMovie = movieIds[r];
  checkIdRange(maxMovie, "movie");
  const movieRow = new Int32Array(maxMovie + 1).fill(-1);
  for (let k = 0; k < catalogue.movieIds.length; k++) movieRow[catalogue.movieIds[k]] = k;

  // Users in ascending id order get dense indices 0..U-1.
  let maxUser = 0;
  for (let r = 0; r < n; r++) if (userIds[r] > maxUser) maxUser = userIds[r];
  checkIdRange(maxUser, "user");
  const present = new Uint8Array(maxUser + 1);
  for (let r = 0; r < n; r++) present[userIds[r]] = 1;
  const userDense = new Int32Array(maxUser + 1).fill(-1);
  const denseUserIds: number[] = [];
  for (let id = 0; id <= maxUser; id++) if (present[id]) userDense[id] = denseUserIds.push(id) - 1;
  const U = denseUserIds.length;

  // Counting sort of ratings by user, stable: each user's ratings stay in file order.
  const start = new Int32Array(U + 1);
  for (let r = 0; r < n; r++) start[userDense[userIds[r]] + 1]++;
  for (let u = 0; u < U; u++) start[u + 1] += start[u];
  const order = new Int32Array(n);
  const fill = start.slice(0, U);
  for (let r = 0; r < n; r++) order[fill[userDense[userIds[r]]]++] = r;

  // Per rating: its catalogue row, whether it is a positive kept rating.
  const rowOfRating = new Int32Array(n);
  const positive = new Uint8Array(n);
  const stamp = new Int32Array(catalogue.movieIds.length).fill(-1);
  let unknown = 0;
  let duplicates = 0;
  const rawMovieSeen = new Uint8Array(catalogue.movieIds.length);
  const rawMoviesUnknown = new Set<number>();
  const positivePerUser = new Int32Array(U);
  for (let u = 0; u < U; u++) {
    for (let k = start[u]; k < start[u + 1]; k++) {
      const r = order[k];
      const row = movieRow[movieIds[r]];
      rowOfRating[r] = row;
      if (row < 0) {
        unknown++;
        rawMoviesUnknown.add(movieIds[r]);
        continue;
      }
      rawMovieSeen[row] = 1;
      if (stamp[row] === u) {
        duplicates++;
        continue; // the first rating of a (user, movie) pair counts
      }
      stamp[row] = u;
      if (ratings[r] > options.threshold) {
        positive[r] = 1;
        positivePerUser[u]++;
      }
    }
  }
  if (unknown) warnings.push(`${raw.ratingsFile}: ${unknown} rating${unknown > 1 ? "s" : ""} of ${rawMoviesUnknown.size} movie id${rawMoviesUnknown.size > 1 ? "s" : ""} absent from ${raw.moviesFile} skipped`);
  if (duplicates) warnings.push(`${raw.ratingsFile}: ${duplicates} repeated (user, movie) rating${duplicates > 1 ? "s" : ""} skipped; the first one of each pair was kept`);

  let positiveRatings = 0;
  let positiveUsers = 0;
  const survivors: number[] = []; // dense user indices, ascending id
  for (let u = 0; u < U; u++) {
    positiveRatings += positivePerUser[u];
    if (positivePerUser[u] > 0) positiveUsers++;
    if (positivePerUser[u] >= options.minItems) survivors.push(u);
  }
  if (positiveRatings === 0) throw new Error(`${name}: no rating is above ${options.threshold}; nothing is left to train on`);
  if (survivors.length === 0) throw new Error(`${name}: no user has at least ${options.minItems} ratings above ${options.threshold} (${positiveUsers} users have some); nothing is left to train on`);

  // Seeded permutation of the surviving users (ascending ids, as np.unique gives them).
  const S = survivors.length;
  const h = heldoutCount(S, options.heldout);
  const perm = new Rng(options.seed).permutation(S);
  const ROLE_TRAIN = 1;
  const ROLE_VALID = 2;
  const ROLE_TEST = 3;
  const role = new Uint8Array(U);
  for (let k = 0; k < S; k++) role[survivors[perm[k]]] = k < S - 2 * h ? ROLE_TRAIN : k < S - h ? ROLE_VALID : ROLE_TEST;

  // Items: catalogue rows rated positively by training users, in order of first appearance
  // in the file. The same pass counts positive ratings of surviving users per movie.
  const itemOfRow = new Int32Array(catalogue.movieIds.length).fill(-1);
  const itemRows: number[] = [];
  const moviePositiveCounts = new Int32Array(catalogue.movieIds.length);
  let filteredRatings = 0;
  for (let r = 0; r < n; r++) {
    if (!positive[r]) continue;
    const who = role[userDense[userIds[r]]];
    if (who === 0) continue; // a user with too few positive ratings
    const row = rowOfRating[r];
    moviePositiveCounts[row]++;
    filteredRatings++;
    if (who === ROLE_TRAIN && itemOfRow[row] < 0) itemOfRow[row] = itemRows.push(row) - 1;
  }
  let filteredMovies = 0;
  for (let k = 0; k < moviePositiveCounts.length; k++) if (moviePositiveCounts[k] > 0) filteredMovies++;
  const m = itemRows.length;

  // Training matrix: rows = training users in ascending id.
  const trainUsers = survivors.filter((u) => role[u] === ROLE_TRAIN);
  // Rows are filled user by user (sequential writes), then sorted: no scatter over 10M pairs.
  const trainIndptr = new Int32Array(trainUsers.length + 1);
  trainUsers.forEach((u, row) => (trainIndptr[row + 1] = trainIndptr[row] + positivePerUser[u]));
  const trainIndices = new Int32Array(trainIndptr[trainUsers.length]);
  let p = 0;
  for (const u of trainUsers) {
    for (let k = start[u]; k < start[u + 1]; k++) {
      const r = order[k];
      if (positive[r]) trainIndices[p++] = itemOfRow[rowOfRating[r]];
    }
  }
  const trainMatrix = sortRows({ rows: trainUsers.length, cols: m, indptr: trainIndptr, indices: trainIndices });

  const split = (which: number): { data: HeldOutSplit; counts: SplitCounts } => {
    const rng = new Rng(options.seed); // a fresh stream per split, as in the reference scripts
    const candidates = survivors.filter((u) => role[u] === which);
    const kept: number[] = [];
    const inRow: number[] = [];
    const inCol: number[] = [];
    const outRow: number[] = [];
    const outCol: number[] = [];
    const items: number[] = [];
    for (const u of candidates) {
      items.length = 0;
      for (let k = start[u]; k < start[u + 1]; k++) {
        const r = order[k];
        if (positive[r] && itemOfRow[rowOfRating[r]] >= 0) items.push(itemOfRow[rowOfRating[r]]);
      }
      if (items.length < 2) continue;
      const row = kept.push(u) - 1;
      const size = Math.max(Math.floor(options.testProportion * items.length), 1);
      const held = new Uint8Array(items.length);
      const pick = rng.permutation(items.length);
      for (let k = 0; k < size; k++) held[pick[k]] = 1;
      items.forEach((item, k) => {
        if (held[k]) {
          outRow.push(row);
          outCol.push(item);
        } else {
          inRow.push(row);
          inCol.push(item);
        }
      });
    }
    const foldIn = csrFromPairs(kept.length, m, inRow, inCol);
    const heldOut = csrFromPairs(kept.length, m, outRow, outCol);
    return {
      data: { userIds: Int32Array.from(kept, (u) => denseUserIds[u]), foldIn, heldOut },
      counts: { candidateUsers: candidates.length, users: kept.length, droppedUsers: candidates.length - kept.length, foldInInteractions: nnz(foldIn), heldOutInteractions: nnz(heldOut) },
    };
  };
  const valid = split(ROLE_VALID);
  const test = split(ROLE_TEST);

  // Conditions: every genre label of an indexed item, sorted.
  const genreSet = new Set<Genre>();
  for (const row of itemRows) for (const g of catalogue.genres[row]) genreSet.add(g);
  const genres = [...genreSet].sort();
  const genreIndex = new Map(genres.map((g, k) => [g, k]));
  const igRow: number[] = [];
  const igCol: number[] = [];
  itemRows.forEach((row, item) => {
    for (const g of catalogue.genres[row]) {
      igRow.push(item);
      igCol.push(genreIndex.get(g) as number);
    }
  });

  let rawMovies = 0;
  for (let k = 0; k < rawMovieSeen.length; k++) rawMovies += rawMovieSeen[k];
  const summary: PreprocessSummary = {
    rawRatings: n,
    rawUsers: U,
    rawMovies,
    catalogueMovies: catalogue.movieIds.length,
    unknownMovieRatings: unknown,
    duplicateRatings: duplicates,
    positiveRatings,
    positiveUsers,
    filteredRatings,
    users: S,
    filteredMovies,
    heldoutPerSplit: h,
    trainUsers: trainUsers.length,
    items: m,
    trainInteractions: nnz(trainMatrix),
    trainDensity: density(trainMatrix),
    valid: valid.counts,
    test: test.counts,
    conditions: genres.length,
  };
  return {
    name,
    source: { format: raw.format, folder: raw.folder, synthetic: raw.synthetic },
    options,
    summary,
    warnings,
    itemMovieIds: Int32Array.from(itemRows, (row) => catalogue.movieIds[row]),
    genres,
    itemGenres: csrFromPairs(m, genres.length, igRow, igCol),
    train: { userIds: Int32Array.from(trainUsers, (u) => denseUserIds[u]), matrix: trainMatrix },
    valid: valid.data,
    test: test.data,
    movies: catalogue,
    moviePositiveCounts,
  };
}

function validateOptions(o: PreprocessOptions): void {
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) throw new RangeError(`preprocess: seed must be an integer in [0, 2^32), got ${o.seed}`);
  if (!Number.isInteger(o.minItems) || o.minItems < 1) throw new RangeError(`preprocess: minItems must be a positive integer, got ${o.minItems}`);
  if (!(o.testProportion > 0 && o.testProportion < 1)) throw new RangeError(`preprocess: testProportion must be in (0, 1), got ${o.testProportion}`);
  if (!Number.isFinite(o.threshold)) throw new RangeError(`preprocess: threshold must be a number, got ${o.threshold}`);
}

export interface StepRow {
  step: string;
  users: number;
  count: number;
  note: string;
}

/** The counts after each step of the protocol, as table rows (count = ratings or interactions). */
export function summaryRows(s: PreprocessSummary): StepRow[] {
  const pct = (x: number) => `${(100 * x).toFixed(3)} %`;
  return [
    { step: "raw ratings", users: s.rawUsers, count: s.rawRatings, note: `${s.rawMovies} movies rated, ${s.catalogueMovies} in the catalogue` },
    { step: "skipped: unknown movie or repeated pair", users: 0, count: s.unknownMovieRatings + s.duplicateRatings, note: `${s.unknownMovieRatings} unknown, ${s.duplicateRatings} repeated` },
    { step: "ratings >= 4 (> 3.5)", users: s.positiveUsers, count: s.positiveRatings, note: "" },
    { step: "users with >= 5 of them", users: s.users, count: s.filteredRatings, note: `${s.filteredMovies} movies` },
    { step: "training users x items", users: s.trainUsers, count: s.trainInteractions, note: `${s.items} items, density ${pct(s.trainDensity)}` },
    { step: "validation users: fold-in + held-out", users: s.valid.users, count: s.valid.foldInInteractions + s.valid.heldOutInteractions, note: `${s.valid.foldInInteractions} + ${s.valid.heldOutInteractions}; ${s.valid.droppedUsers} dropped (< 2 indexed items)` },
    { step: "test users: fold-in + held-out", users: s.test.users, count: s.test.foldInInteractions + s.test.heldOutInteractions, note: `${s.test.foldInInteractions} + ${s.test.heldOutInteractions}; ${s.test.droppedUsers} dropped (< 2 indexed items)` },
  ];
}
