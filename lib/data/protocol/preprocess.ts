// The preprocessing protocol of Liang et al. (2018), as the C-VAE authors use it:
// binarise (rating > 3.5), keep users with >= 5 such ratings, permute users with a seeded
// RNG, hold out whole users for validation and test, index the items seen in training,
// and split each held-out user's items 80/20 into fold-in and held-out (split.ts).
// The RNG reproduces numpy's RandomState, so on the same files the split is the very
// split of Liang's notebook, rectorch and the PyTorch reference.
// `preprocess` is the sequence of named steps below; each returns what the next needs.
import { mergeOptions } from "../../core/options";
import { Rng, STUDY_SEED } from "../../core/rng";
import { buildConditions, checkTimestamps } from "../conditions/condition-build";
import { checkConditionKind, checkTimeZone, scopeOf } from "../conditions/conditions";
import type { Genre, MovieTable, PreprocessOptions, PreprocessSummary, ProcessedDataset, RawDataset, RatingsTable } from "../schema";
import { csrFromPairs, density, nnz, sortRows } from "../sparse";
import { heldoutCount, splitHeldOutUsers } from "./split";

export function defaultPreprocessOptions(): PreprocessOptions {
  return { seed: STUDY_SEED, threshold: 3.5, minItems: 5, heldout: null, testProportion: 0.2, conditions: "genre", timeZone: null };
}

/** Largest id we index with a plain array (MovieLens ids are below 300,000). */
const MAX_DENSE_ID = 1 << 26;

function checkIdRange(maxId: number, what: string): void {
  if (maxId > MAX_DENSE_ID)
    throw new RangeError(`${what} id ${maxId} is larger than ${MAX_DENSE_ID}; renumber the ids (MovieLens ids are far smaller)`);
}

/** Runs the protocol on a raw data set. Errors explain which filter left nothing. */
export function preprocess(raw: RawDataset, name: string, overrides: Partial<PreprocessOptions> = {}): ProcessedDataset {
  const options = mergeOptions(defaultPreprocessOptions(), overrides, "preprocess options");
  validateOptions(options);
  if (scopeOf(options.conditions) === "interaction") checkTimestamps(raw, options.conditions);
  const warnings = [...raw.warnings];
  const movieRow = catalogueIndex(raw);
  const users = groupByUser(raw.ratings);
  const marked = markPositives(raw, users, movieRow, options.threshold, warnings);
  const kept = filterUsers(marked, users, options, name);
  const roles = assignRoles(kept.survivors, users.count, options);
  const items = indexItems(raw.ratings, users, marked, roles, raw.movies.movieIds.length);
  const trainUsers = kept.survivors.filter((u) => roles.role[u] === ROLE_TRAIN);
  const trainMatrix = trainingMatrix(trainUsers, users, marked, items);
  const heldOut = (which: number) =>
    splitHeldOutUsers(
      kept.survivors.filter((u) => roles.role[u] === which),
      (u, out) => userItems(u, users, marked, items, out),
      items.itemRows.length,
      options,
      (u) => users.ids[u],
    );
  const valid = heldOut(ROLE_VALID);
  const test = heldOut(ROLE_TEST);
  for (const [what, split] of [
    ["validation", valid],
    ["test", test],
  ] as const) {
    // Such a set can be explored but not trained with validation or evaluated: say so now, and train/evaluate refuse it.
    if (split.counts.users === 0) {
      const why =
        split.counts.candidateUsers === 0
          ? `heldout is ${roles.heldout}`
          : `all ${split.counts.candidateUsers} held-out users have fewer than 2 indexed items`;
      warnings.push(`${name}: no ${what} users (${why}); training needs validation users and evaluation test users`);
    }
  }
  const genreSet = conditionVocabulary(raw.movies, items.itemRows);
  const conditioning = buildConditions(raw, options, {
    itemRows: items.itemRows,
    trainUsers,
    trainMatrix,
    valid: valid.data,
    test: test.data,
    denseUser: (id) => users.dense[id],
    ratedItems: (u, visit) => {
      for (let k = users.start[u]; k < users.start[u + 1]; k++) {
        const r = users.order[k];
        const item = marked.positive[r] ? items.itemOfRow[marked.rowOfRating[r]] : -1;
        if (item >= 0) visit(r, item);
      }
    },
  });
  const m = items.itemRows.length;
  const summary: PreprocessSummary = {
    rawRatings: raw.ratings.length,
    rawUsers: users.count,
    rawMovies: marked.moviesRated,
    catalogueMovies: raw.movies.movieIds.length,
    unknownMovieRatings: marked.unknown,
    duplicateRatings: marked.duplicates,
    positiveRatings: kept.positiveRatings,
    positiveUsers: kept.positiveUsers,
    filteredRatings: items.filteredRatings,
    users: kept.survivors.length,
    filteredMovies: items.filteredMovies,
    heldoutPerSplit: roles.heldout,
    trainUsers: trainUsers.length,
    items: m,
    trainInteractions: nnz(trainMatrix),
    trainDensity: density(trainMatrix),
    valid: valid.counts,
    test: test.counts,
    conditions: conditioning.conditions.labels.length,
  };
  return {
    name,
    source: { format: raw.format, folder: raw.folder, synthetic: raw.synthetic },
    options,
    summary,
    warnings,
    itemMovieIds: Int32Array.from(items.itemRows, (row) => raw.movies.movieIds[row]),
    genres: genreSet.genres,
    itemGenres: genreSet.itemGenres,
    conditions: conditioning.conditions,
    // The genre kind's item table is itemGenres itself (one copy in memory and on disk).
    itemConditions: options.conditions === "genre" ? genreSet.itemGenres : conditioning.itemConditions,
    contexts: conditioning.contexts,
    train: { userIds: Int32Array.from(trainUsers, (u) => users.ids[u]), matrix: trainMatrix },
    valid: valid.data,
    test: test.data,
    movies: raw.movies,
    moviePositiveCounts: items.moviePositiveCounts,
  };
}

/** movieId -> catalogue row (-1 for ids the catalogue lacks). */
function catalogueIndex(raw: RawDataset): Int32Array {
  const { movies, ratings } = raw;
  let maxMovie = 0;
  for (let k = 0; k < movies.movieIds.length; k++) maxMovie = Math.max(maxMovie, movies.movieIds[k]);
  for (let r = 0; r < ratings.length; r++) if (ratings.movieIds[r] > maxMovie) maxMovie = ratings.movieIds[r];
  checkIdRange(maxMovie, "movie");
  const movieRow = new Int32Array(maxMovie + 1).fill(-1);
  for (let k = 0; k < movies.movieIds.length; k++) movieRow[movies.movieIds[k]] = k;
  return movieRow;
}

/** Users in ascending id order as dense indices 0..U-1, and the ratings grouped by user. */
interface UserIndex {
  count: number;
  /** Dense index -> MovieLens user id. */
  ids: number[];
  /** MovieLens user id -> dense index. */
  dense: Int32Array;
  /** order[start[u] .. start[u + 1]) are user u's ratings, in file order. */
  start: Int32Array;
  order: Int32Array;
}

function groupByUser(ratings: RatingsTable): UserIndex {
  const { userIds, length: n } = ratings;
  let maxUser = 0;
  for (let r = 0; r < n; r++) if (userIds[r] > maxUser) maxUser = userIds[r];
  checkIdRange(maxUser, "user");
  const present = new Uint8Array(maxUser + 1);
  for (let r = 0; r < n; r++) present[userIds[r]] = 1;
  const dense = new Int32Array(maxUser + 1).fill(-1);
  const ids: number[] = [];
  for (let id = 0; id <= maxUser; id++) if (present[id]) dense[id] = ids.push(id) - 1;
  const U = ids.length;
  // Counting sort of ratings by user, stable: each user's ratings stay in file order.
  const start = new Int32Array(U + 1);
  for (let r = 0; r < n; r++) start[dense[userIds[r]] + 1]++;
  for (let u = 0; u < U; u++) start[u + 1] += start[u];
  const order = new Int32Array(n);
  const fill = start.slice(0, U);
  for (let r = 0; r < n; r++) order[fill[dense[userIds[r]]]++] = r;
  return { count: U, ids, dense, start, order };
}

/** Per rating: its catalogue row and whether it is a kept positive rating; per user: how many. */
interface MarkedRatings {
  rowOfRating: Int32Array;
  positive: Uint8Array;
  positivePerUser: Int32Array;
  unknown: number;
  duplicates: number;
  /** Catalogue movies with at least one rating. */
  moviesRated: number;
}

/** Ratings above `threshold` are positive; unknown movies and repeated (user, movie) pairs are skipped with a warning. */
function markPositives(raw: RawDataset, users: UserIndex, movieRow: Int32Array, threshold: number, warnings: string[]): MarkedRatings {
  const { movieIds, ratings, length: n } = raw.ratings;
  const catalogueSize = raw.movies.movieIds.length;
  const rowOfRating = new Int32Array(n);
  const positive = new Uint8Array(n);
  const stamp = new Int32Array(catalogueSize).fill(-1);
  let unknown = 0;
  let duplicates = 0;
  const rawMovieSeen = new Uint8Array(catalogueSize);
  const rawMoviesUnknown = new Set<number>();
  const positivePerUser = new Int32Array(users.count);
  for (let u = 0; u < users.count; u++) {
    for (let k = users.start[u]; k < users.start[u + 1]; k++) {
      const r = users.order[k];
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
      if (ratings[r] > threshold) {
        positive[r] = 1;
        positivePerUser[u]++;
      }
    }
  }
  if (unknown)
    warnings.push(
      `${raw.ratingsFile}: ${unknown} rating${unknown > 1 ? "s" : ""} of ${rawMoviesUnknown.size} ` +
        `movie id${rawMoviesUnknown.size > 1 ? "s" : ""} absent from ${raw.moviesFile} skipped`,
    );
  if (duplicates)
    warnings.push(
      `${raw.ratingsFile}: ${duplicates} repeated (user, movie) ` +
        `rating${duplicates > 1 ? "s" : ""} skipped; the first one of each pair was kept`,
    );
  let moviesRated = 0;
  for (let k = 0; k < catalogueSize; k++) moviesRated += rawMovieSeen[k];
  return { rowOfRating, positive, positivePerUser, unknown, duplicates, moviesRated };
}

/** Users with at least minItems positive ratings (dense indices, ascending id). */
function filterUsers(
  marked: MarkedRatings,
  users: UserIndex,
  options: PreprocessOptions,
  name: string,
): { survivors: number[]; positiveRatings: number; positiveUsers: number } {
  let positiveRatings = 0;
  let positiveUsers = 0;
  const survivors: number[] = [];
  for (let u = 0; u < users.count; u++) {
    const p = marked.positivePerUser[u];
    positiveRatings += p;
    if (p > 0) positiveUsers++;
    if (p >= options.minItems) survivors.push(u);
  }
  if (positiveRatings === 0) throw new Error(`${name}: no rating is above ${options.threshold}; nothing is left to train on`);
  if (survivors.length === 0)
    throw new Error(
      `${name}: no user has at least ${options.minItems} ratings above ${options.threshold} ` +
        `(${positiveUsers} users have some); nothing is left to train on`,
    );
  return { survivors, positiveRatings, positiveUsers };
}

const ROLE_TRAIN = 1;
const ROLE_VALID = 2;
const ROLE_TEST = 3;

/** A seeded permutation of the surviving users (ascending ids, as np.unique gives them): the last 2h are held out. */
function assignRoles(survivors: readonly number[], userCount: number, options: PreprocessOptions): { role: Uint8Array; heldout: number } {
  const S = survivors.length;
  const h = heldoutCount(S, options.heldout);
  const perm = new Rng(options.seed).permutation(S);
  const role = new Uint8Array(userCount);
  for (let k = 0; k < S; k++) role[survivors[perm[k]]] = k < S - 2 * h ? ROLE_TRAIN : k < S - h ? ROLE_VALID : ROLE_TEST;
  return { role, heldout: h };
}

interface ItemIndex {
  /** Catalogue row -> item index (-1 = not an item). */
  itemOfRow: Int32Array;
  /** Item index -> catalogue row. */
  itemRows: number[];
  moviePositiveCounts: Int32Array;
  filteredRatings: number;
  filteredMovies: number;
}

/**
 * Items: catalogue rows rated positively by training users, in order of first appearance
 * in the file. The same pass counts positive ratings of surviving users per movie.
 */
function indexItems(
  ratings: RatingsTable,
  users: UserIndex,
  marked: MarkedRatings,
  roles: { role: Uint8Array },
  catalogueSize: number,
): ItemIndex {
  const itemOfRow = new Int32Array(catalogueSize).fill(-1);
  const itemRows: number[] = [];
  const moviePositiveCounts = new Int32Array(catalogueSize);
  let filteredRatings = 0;
  for (let r = 0; r < ratings.length; r++) {
    if (!marked.positive[r]) continue;
    const who = roles.role[users.dense[ratings.userIds[r]]];
    if (who === 0) continue; // a user with too few positive ratings
    const row = marked.rowOfRating[r];
    moviePositiveCounts[row]++;
    filteredRatings++;
    if (who === ROLE_TRAIN && itemOfRow[row] < 0) itemOfRow[row] = itemRows.push(row) - 1;
  }
  let filteredMovies = 0;
  for (let k = 0; k < catalogueSize; k++) if (moviePositiveCounts[k] > 0) filteredMovies++;
  return { itemOfRow, itemRows, moviePositiveCounts, filteredRatings, filteredMovies };
}

/** The training matrix: rows = training users in ascending id, columns = items. */
function trainingMatrix(trainUsers: readonly number[], users: UserIndex, marked: MarkedRatings, items: ItemIndex) {
  // Rows are filled user by user (sequential writes), then sorted: no scatter over 10M pairs.
  const indptr = new Int32Array(trainUsers.length + 1);
  trainUsers.forEach((u, row) => (indptr[row + 1] = indptr[row] + marked.positivePerUser[u]));
  const indices = new Int32Array(indptr[trainUsers.length]);
  let p = 0;
  for (const u of trainUsers) {
    for (let k = users.start[u]; k < users.start[u + 1]; k++) {
      const r = users.order[k];
      if (marked.positive[r]) indices[p++] = items.itemOfRow[marked.rowOfRating[r]];
    }
  }
  return sortRows({ rows: trainUsers.length, cols: items.itemRows.length, indptr, indices });
}

/** A user's positive ratings of indexed items, in file order, into `out` (cleared first). */
function userItems(u: number, users: UserIndex, marked: MarkedRatings, items: ItemIndex, out: number[]): void {
  out.length = 0;
  for (let k = users.start[u]; k < users.start[u + 1]; k++) {
    const r = users.order[k];
    if (marked.positive[r] && items.itemOfRow[marked.rowOfRating[r]] >= 0) out.push(items.itemOfRow[marked.rowOfRating[r]]);
  }
}

/** Conditions: every genre label of an indexed item, sorted; and items x genres. */
function conditionVocabulary(catalogue: MovieTable, itemRows: readonly number[]) {
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
  return { genres, itemGenres: csrFromPairs(itemRows.length, genres.length, igRow, igCol) };
}

function validateOptions(o: PreprocessOptions): void {
  o.conditions = checkConditionKind(o.conditions, "preprocess: conditions");
  o.timeZone = checkTimeZone(o.timeZone, "preprocess: timeZone");
  if (o.timeZone !== null && scopeOf(o.conditions) === "item")
    throw new RangeError(`preprocess: timeZone applies to the contexts daypart and weekday, not to conditions "${o.conditions}"`);
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)
    throw new RangeError(`preprocess: seed must be an integer in [0, 2^32), got ${o.seed}`);
  if (!Number.isInteger(o.minItems) || o.minItems < 1)
    throw new RangeError(`preprocess: minItems must be a positive integer, got ${o.minItems}`);
  if (!(o.testProportion > 0 && o.testProportion < 1))
    throw new RangeError(`preprocess: testProportion must be in (0, 1), got ${o.testProportion}`);
  if (!Number.isFinite(o.threshold)) throw new RangeError(`preprocess: threshold must be a number, got ${o.threshold}`);
}
