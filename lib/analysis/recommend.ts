// Recommendations for one history: the top-n movies the model scores highest, the
// history excluded; under an item condition (genre, decade), also the share of the list
// having it. A context condition (daypart, weekday) asks for what the user would rate then.
// Scored through the model's scorer: on the GPU on webgpu, else the model's own CPU methods.
import { conditionNoun, conditionPlural, decadeLabel, titleYear, unscoredTargets } from "../data/conditions/conditions";
import { buildBatch } from "../model/batch";
import type { CvaeModel } from "../model/cvae-model";
import { withScorer } from "../model/scorer";
import { topKExcluding } from "../model/top-k";
import type { ProcessedDataset } from "../data/schema";
import type { ConditionLabel, Genre, MovieId } from "../data/schema";
import { csrFromPairs } from "../data/sparse";

export interface Recommendation {
  rank: number;
  movieId: MovieId;
  title: string;
  genres: Genre[];
  /** The model's logit for the item. */
  score: number;
}

export interface RecommendResult {
  items: Recommendation[];
  /** The condition of the list (a label of the data set's condition kind), or null. */
  condition: ConditionLabel | null;
  /** Share of the list having the condition: item attributes only (null for a context or no condition). */
  conditionShare: number | null;
  /** `condition` and `conditionShare` when the data set is conditioned on genres, else null. */
  genre: Genre | null;
  genreShare: number | null;
  /** History movie ids the model does not know (not in the training items); ignored. */
  unknownMovies: MovieId[];
}

export interface RecommendOptions {
  /** A condition label of the data set ("Drama", "1990s", "evening"; C-VAE only). */
  condition?: ConditionLabel;
  /** The same as `condition`, for data sets conditioned on genres. */
  genre?: Genre;
  /** List length (default 10). */
  n?: number;
}

/** Top-n movies for a history of movie ids (MovieLens ids, as in ratings.csv). */
export async function recommend(
  model: CvaeModel,
  ds: ProcessedDataset,
  history: readonly MovieId[],
  options: RecommendOptions = {},
): Promise<RecommendResult> {
  const { n = 10 } = options;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`recommend: n must be a positive integer, got ${n}`);
  const { kind, labels } = ds.conditions;
  if (options.genre !== undefined && options.condition !== undefined && options.genre !== options.condition)
    throw new Error(`recommend: give a condition or a genre, not both ("${options.condition}", "${options.genre}")`);
  if (options.genre !== undefined && kind !== "genre")
    throw new Error(`recommend: data set "${ds.name}" is conditioned on ${kind}, not genre; give condition (one of ${labels.join(", ")})`);
  const condition = options.condition ?? options.genre;
  let cond = -1;
  if (condition !== undefined) {
    if (!model.conditioned) throw new Error(`recommend: this model (Mult-VAE, run "${model.config.run}") has no ${kind} conditions`);
    cond = labels.indexOf(condition);
    if (cond < 0)
      throw new Error(
        `recommend: unknown ${conditionNoun(kind)} "${condition}"; ${conditionPlural(kind)} of "${ds.name}": ${labels.join(", ")}`,
      );
  }
  const { items, unknownMovies } = historyItems(ds, history);
  const m = ds.summary.items;
  const one = csrFromPairs(
    1,
    m,
    items.map(() => 0),
    items,
  );
  const batch = buildBatch(one, one, { users: Int32Array.of(0), conditions: Int32Array.of(cond) }, 0, 1, {
    dropout: 0,
    latentDim: 0,
    // The target is the history itself and is never scored.
    targetConditions: unscoredTargets(one),
  });
  // One pass: the scores, ranked as CvaeModel.rank ranks them.
  const scores = await withScorer(model, (scorer) => scorer.scores(batch));
  const top = topKExcluding(scores, batch, m, Math.min(n, m - items.length));
  const movieRow = new Map<number, number>();
  ds.movies.movieIds.forEach((id, row) => movieRow.set(id, row));
  const list: Recommendation[] = Array.from(top)
    .filter((i) => i >= 0)
    .map((i, k) => {
      const movieId = ds.itemMovieIds[i];
      const row = movieRow.get(movieId) as number;
      return { rank: k + 1, movieId, title: ds.movies.titles[row], genres: ds.movies.genres[row], score: scores[i] };
    });
  const has = (r: Recommendation) =>
    kind === "genre" ? r.genres.includes(condition as string) : decadeLabel(titleYear(r.title)) === condition;
  const share = condition === undefined || ds.conditions.scope !== "item" ? null : list.filter(has).length / Math.max(1, list.length);
  const isGenre = kind === "genre";
  return {
    items: list,
    condition: condition ?? null,
    conditionShare: share,
    genre: isGenre ? (condition ?? null) : null,
    genreShare: isGenre ? share : null,
    unknownMovies,
  };
}

/** A recommendation list as table rows (rank, title, genres) with a caption naming the condition and its share. */
export function recommendationTable(list: RecommendResult): { rows: { rank: number; title: string; genres: string }[]; caption: string } {
  const rows = list.items.map((r) => ({ rank: r.rank, title: r.title, genres: r.genres.join(" | ") }));
  const caption =
    list.condition === null
      ? `No condition: ${list.items.length} movies`
      : list.conditionShare === null
        ? `Condition ${list.condition}: ${list.items.length} movies`
        : `Condition ${list.condition}: ${Math.round(100 * list.conditionShare)} % of the list is ${list.condition}`;
  return { rows, caption };
}

/** A history of movie ids as item indices (each once); ids the model does not know are listed apart. */
export function historyItems(ds: ProcessedDataset, history: readonly MovieId[]): { items: number[]; unknownMovies: MovieId[] } {
  const itemOf = new Map<number, number>();
  ds.itemMovieIds.forEach((id, i) => itemOf.set(id, i));
  const items: number[] = [];
  const unknownMovies: number[] = [];
  for (const id of new Set(history)) {
    const i = itemOf.get(id);
    if (i === undefined) unknownMovies.push(id);
    else items.push(i);
  }
  return { items, unknownMovies };
}

/** A held-out user's fold-in history (movie ids), for examples in notebooks. */
export function foldInHistory(ds: ProcessedDataset, split: "valid" | "test", userId: number): MovieId[] {
  const data = split === "valid" ? ds.valid : ds.test;
  const row = data.userIds.indexOf(userId);
  if (row < 0)
    throw new Error(
      `user ${userId} is not a ${split} user of "${ds.name}" (${data.userIds.length} ` +
        `users, e.g. ${Array.from(data.userIds.slice(0, 3)).join(", ")})`,
    );
  return Array.from(data.foldIn.indices.subarray(data.foldIn.indptr[row], data.foldIn.indptr[row + 1]), (i) => ds.itemMovieIds[i]);
}

/** The held-out user with the longest fold-in history (a well-described example). */
export function exampleUser(ds: ProcessedDataset, split: "valid" | "test" = "test"): number {
  const data = split === "valid" ? ds.valid : ds.test;
  let best = -1;
  let bestLength = -1;
  for (let r = 0; r < data.foldIn.rows; r++) {
    const n = data.foldIn.indptr[r + 1] - data.foldIn.indptr[r];
    if (n > bestLength) {
      best = r;
      bestLength = n;
    }
  }
  if (best < 0) throw new Error(`"${ds.name}" has no ${split} users`);
  return data.userIds[best];
}

/** Genre shares of a history: which genres its movies carry, most common first. */
export function historyGenres(ds: ProcessedDataset, history: readonly MovieId[]): { genre: Genre; movies: number; share: number }[] {
  const rowOf = new Map<number, number>();
  ds.movies.movieIds.forEach((id, row) => rowOf.set(id, row));
  const counts = new Map<Genre, number>();
  for (const id of history) {
    const row = rowOf.get(id);
    if (row === undefined) continue;
    for (const g of ds.movies.genres[row]) counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([genre, movies]) => ({ genre, movies, share: movies / Math.max(1, history.length) }))
    .sort((a, b) => b.movies - a.movies || a.genre.localeCompare(b.genre));
}

/** The conditions of a recommendation example: those of `wanted` the data set has, else (another kind) its first three labels. */
export function exampleConditions(ds: ProcessedDataset, wanted: readonly ConditionLabel[]): ConditionLabel[] {
  const have = wanted.filter((c) => ds.conditions.labels.includes(c));
  return have.length ? have : ds.conditions.labels.slice(0, 3);
}
