// Vocabulary shared by every stage: identifiers, the genre labels, and the in-memory
// shapes of raw and processed data. Defined once; notebooks never spell them again.

/** MovieLens user id (as in the files). */
export type UserId = number;
/** MovieLens movie id (as in the files). */
export type MovieId = number;
/** Index of an item in the processed item vocabulary (0..m-1). */
export type ItemIndex = number;
export type Genre = string;
/** A label of any condition kind: a genre, decade, daypart or week part. */
export type ConditionLabel = string;

/** What the C-VAE is conditioned on (data/conditions.ts): item attributes or interaction contexts. */
export type ConditionKind = "genre" | "decade" | "daypart" | "weekday";
export type ConditionScope = "item" | "interaction";

/** The conditions of a processed data set: its kind and the labels the model is conditioned on. */
export interface ConditionVocabulary {
  kind: ConditionKind;
  scope: ConditionScope;
  /** Condition c of the model is labels[c]. */
  labels: ConditionLabel[];
  /** IANA time zone the contexts were read in (null: UTC; always null for item kinds). */
  timeZone: string | null;
}

/** Interaction contexts: the context index of every stored entry of each matrix, parallel to its indices. */
export interface MatrixContexts {
  train: Uint8Array;
  validFoldIn: Uint8Array;
  validHeldOut: Uint8Array;
  testFoldIn: Uint8Array;
  testHeldOut: Uint8Array;
}

/** The label MovieLens uses for movies without genres; a condition of its own. */
export const NO_GENRES: Genre = "(no genres listed)";

/** The 20 genre labels of ML-20M's movies.csv, in its documentation's order plus the two extras. */
export const ML20M_GENRES: readonly Genre[] = [
  "Action",
  "Adventure",
  "Animation",
  "Children",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "IMAX",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
  NO_GENRES,
];

/** Ratings in file order, columnar. Length is the number of ratings. */
export interface RatingsTable {
  userIds: Int32Array;
  movieIds: Int32Array;
  ratings: Float32Array;
  /** Unix seconds of each rating (-1 where the field is not whole seconds); null when the file has no timestamp column. */
  timestamps: Int32Array | null;
  /** Timestamps that could not be read: how many, and the first with its file and line. */
  badTimestamps?: { count: number; first: string } | null;
  length: number;
}

/** The movie catalogue: one entry per movie of movies.csv (or its equivalent). */
export interface MovieTable {
  movieIds: Int32Array;
  titles: string[];
  genres: Genre[][];
}

/** The MovieLens file formats lib/data/movielens/ reads; processed sets record theirs (checked on load by store.ts). */
export const MOVIELENS_FORMATS = ["csv", "dat", "ml-100k"] as const;
export type MovieLensFormat = (typeof MOVIELENS_FORMATS)[number];

/** One MovieLens data set in memory, whatever its source format. */
export interface RawDataset {
  format: MovieLensFormat;
  folder: string;
  ratingsFile: string;
  moviesFile: string;
  ratings: RatingsTable;
  movies: MovieTable;
  /** True for data made by lib/data/synthetic/synth.ts (it writes ground-truth.json beside the files). */
  synthetic: boolean;
  /** Problems that were skipped rather than fatal, each with a count. */
  warnings: string[];
}

/** A binary sparse matrix in compressed sparse row form (all stored values are 1). */
export interface Csr {
  rows: number;
  cols: number;
  /** rows + 1 offsets into `indices`. */
  indptr: Int32Array;
  /** Column indices, ascending within each row. */
  indices: Int32Array;
}

// The processed data set: the Liang et al. split of a raw data set (data/preprocess.ts),
// stored by data/store.ts and read by every later stage.

export interface PreprocessOptions {
  /** Seed of the user permutation and of the 80/20 splits (Liang's value). */
  seed: number;
  /** Ratings strictly above this count as positive (3.5 keeps 4 and up). */
  threshold: number;
  /** Users need at least this many positive ratings. */
  minItems: number;
  /** Users held out for validation and for test, each; null = 10,000 above 100k users, else 10 %. */
  heldout: number | null;
  /** Share of a held-out user's items that are held out (at least one). */
  testProportion: number;
  /** What the model is conditioned on (default genre). */
  conditions: ConditionKind;
  /** Time zone of the context kinds daypart and weekday (IANA name; null = UTC). */
  timeZone: string | null;
}

export interface HeldOutSplit {
  /** MovieLens user ids of the rows, ascending. */
  userIds: Int32Array;
  foldIn: Csr;
  heldOut: Csr;
}

export interface SplitCounts {
  candidateUsers: number;
  users: number;
  droppedUsers: number;
  foldInInteractions: number;
  heldOutInteractions: number;
}

export interface PreprocessSummary {
  rawRatings: number;
  rawUsers: number;
  rawMovies: number;
  catalogueMovies: number;
  unknownMovieRatings: number;
  duplicateRatings: number;
  positiveRatings: number;
  positiveUsers: number;
  filteredRatings: number;
  users: number;
  filteredMovies: number;
  heldoutPerSplit: number;
  trainUsers: number;
  items: number;
  trainInteractions: number;
  trainDensity: number;
  valid: SplitCounts;
  test: SplitCounts;
  conditions: number;
}

export interface DataSource {
  format: MovieLensFormat;
  folder: string;
  synthetic: boolean;
}

export interface ProcessedDataset {
  name: string;
  source: DataSource;
  options: PreprocessOptions;
  summary: PreprocessSummary;
  warnings: string[];
  /** Item index -> MovieLens movie id. */
  itemMovieIds: Int32Array;
  /** The genre labels of indexed items, sorted (the condition vocabulary when conditions.kind is genre). */
  genres: Genre[];
  /** items x genres. */
  itemGenres: Csr;
  /** What the model is conditioned on: kind and labels. */
  conditions: ConditionVocabulary;
  /** items x condition labels for item attributes (for genre, itemGenres itself); null for interaction contexts. */
  itemConditions: Csr | null;
  /** The context of every interaction for interaction contexts; null for item attributes. */
  contexts: MatrixContexts | null;
  train: { userIds: Int32Array; matrix: Csr };
  valid: HeldOutSplit;
  test: HeldOutSplit;
  /** The whole catalogue (titles and genres of every movie, indexed or not). */
  movies: MovieTable;
  /** Positive ratings per catalogue movie after the user filter (all users). */
  moviePositiveCounts: Int32Array;
  /**
   * What identifies the content as saved (lib/data/catalogue.ts): set by saveProcessed and, from
   * format version 4 on, loadProcessed; a model records it to notice that its set was replaced.
   */
  contentId?: string;
}
