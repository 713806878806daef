// The genre structure planted in the synthetic data set: each genre has a position in a
// small "taste space", users' tastes and movies' genre mixes come from it, and it is
// written out as ground truth so the analysis can check what the model recovers.
//
// Axes: 0 light <-> serious/tense, 1 family/fantasy <-> realistic/historical,
// 2 intimate <-> spectacle, 3 "noir" style, 4 "no genre" (only the neutral label).
// The positions encode the relations the paper reports on ML-20M: Thriller, Mystery and
// Crime close; Children, Animation and Fantasy close; War near Drama and Romance and far
// from Children and Animation; Horror between Thriller and Sci-Fi, far from Western;
// Film-Noir apart from everything, nearest to Crime, Mystery, Thriller and Drama; the
// neutral "(no genres listed)" far from all.
import { existsSync } from "node:fs";
import { readJsonFile, type Shape } from "../../core/shape";
import { join } from "node:path";
import { type Genre, ML20M_GENRES, NO_GENRES } from "../schema";

export const PLANTED_POSITIONS: Readonly<Record<Genre, readonly number[]>> = {
  Comedy: [-1.2, 0.0, 0.0, 0, 0],
  Romance: [-1.0, 0.6, -0.6, 0, 0],
  Drama: [0.0, 0.9, -0.6, 0.4, 0],
  War: [0.5, 1.6, 0.0, 0, 0],
  Western: [0.3, 1.4, 0.8, 0, 0],
  Documentary: [0.6, 1.8, -1.4, 0, 0],
  Musical: [-1.4, -0.5, -0.6, 0, 0],
  Children: [-1.3, -1.6, 0.0, 0, 0],
  Animation: [-1.0, -1.8, 0.2, 0, 0],
  Fantasy: [-0.4, -1.4, 0.6, 0, 0],
  Adventure: [-0.2, -0.6, 1.2, 0, 0],
  Action: [0.5, 0.0, 1.5, 0, 0],
  "Sci-Fi": [0.6, -0.8, 1.3, 0, 0],
  IMAX: [0.3, -0.6, 1.9, 0, 0],
  Thriller: [1.4, 0.3, 0.4, 0.4, 0],
  Crime: [1.3, 0.8, 0.1, 0.6, 0],
  Mystery: [1.5, 0.4, -0.2, 0.6, 0],
  Horror: [1.1, -0.3, 0.85, 0, 0],
  "Film-Noir": [1.2, 0.9, -0.4, 2.0, 0],
  [NO_GENRES]: [0, 0, 0, 0, 3.0],
};

/**
 * Movies per genre label in ML-20M's movies.csv (27,278 movies; a movie has ~2 labels).
 * The synthetic catalogue draws its genre labels with these relative frequencies.
 */
export const ML20M_GENRE_MOVIES: Readonly<Record<Genre, number>> = {
  Drama: 13344,
  Comedy: 8374,
  Thriller: 4178,
  Romance: 4127,
  Action: 3520,
  Crime: 2939,
  Horror: 2611,
  Documentary: 2471,
  Adventure: 2329,
  "Sci-Fi": 1743,
  Mystery: 1514,
  Fantasy: 1412,
  War: 1194,
  Children: 1139,
  Musical: 1036,
  Animation: 1027,
  Western: 676,
  "Film-Noir": 330,
  [NO_GENRES]: 246,
  IMAX: 196,
};
export const ML20M_MOVIES = 27278;

/** Share of ML-20M ratings at each half star 0.5 .. 5.0 (about half are 4 or more). */
export const ML20M_RATING_SHARES: readonly number[] = [0.012, 0.034, 0.014, 0.072, 0.044, 0.215, 0.11, 0.278, 0.077, 0.144];

/** Width of the affinity kernel exp(-d^2 / (2 w^2)) between genre positions. */
export const AFFINITY_WIDTH = 0.8;

/** Groups the generator plants (what the analysis should find close together). */
export const PLANTED_GROUPS: readonly (readonly Genre[])[] = [
  ["Thriller", "Mystery", "Crime"],
  ["Children", "Animation", "Fantasy"],
  ["War", "Drama", "Romance"],
  ["Action", "Adventure", "Sci-Fi", "IMAX"],
];

export function genreDistance(a: Genre, b: Genre): number {
  const pa = PLANTED_POSITIONS[a];
  const pb = PLANTED_POSITIONS[b];
  if (!pa || !pb) throw new Error(`no planted position for ${pa ? b : a}`);
  let s = 0;
  for (let d = 0; d < pa.length; d++) s += (pa[d] - pb[d]) ** 2;
  return Math.sqrt(s);
}

/** Planted affinity in (0, 1]; 1 for a genre with itself. */
export function genreAffinity(a: Genre, b: Genre): number {
  return Math.exp(-(genreDistance(a, b) ** 2) / (2 * AFFINITY_WIDTH ** 2));
}

export interface PlantedContextKind {
  labels: string[];
  /** Base share of ratings in each context (before the movie's pull). */
  shares: number[];
  positions: number[][];
  /** distances[i][j] between the contexts' planted positions. */
  distances: number[][];
  /** lift[c][g] = P(context c | a movie of genre g alone) / shares[c]: the planted pull of each genre. */
  lift: Record<Genre, number>[];
}

/** The context effect of planted-contexts.ts (ground-truth.json from generator version 5 on). */
export interface PlantedContexts {
  daypart: PlantedContextKind;
  weekday: PlantedContextKind;
  /** Width of the pull exp(-d^2 / (2 w^2)) between a movie's position and a context's. */
  width: number;
}

export interface GroundTruth {
  format: "cvae-lens/synthetic-ground-truth";
  version: 1;
  description: string;
  genres: Genre[];
  axes: string[];
  positions: Record<Genre, number[]>;
  /** distances[i][j] between genres[i] and genres[j] in the planted space. */
  distances: number[][];
  /** affinity[i][j] = exp(-d^2 / (2 * affinityWidth^2)). */
  affinity: number[][];
  affinityWidth: number;
  plantedGroups: Genre[][];
  genreMovieFrequencies: Record<Genre, number>;
  ratingShares: number[];
  /** The planted context effect; absent in files of older generator versions. */
  contexts?: PlantedContexts;
}

export function groundTruth(): GroundTruth {
  const genres = [...ML20M_GENRES];
  return {
    format: "cvae-lens/synthetic-ground-truth",
    version: 1,
    description:
      "Synthetic MovieLens-like data generated by cvae-lens (lib/data/synthetic/synth.ts). Users' tastes and movies' " +
      "genre mixes derive from these planted genre positions; nothing here comes from real users.",
    genres,
    axes: ["light <-> serious/tense", "family/fantasy <-> realistic/historical", "intimate <-> spectacle", "noir style", "no genre"],
    positions: Object.fromEntries(genres.map((g) => [g, [...PLANTED_POSITIONS[g]]])),
    distances: genres.map((a) => genres.map((b) => round(genreDistance(a, b)))),
    affinity: genres.map((a) => genres.map((b) => round(genreAffinity(a, b)))),
    affinityWidth: AFFINITY_WIDTH,
    plantedGroups: PLANTED_GROUPS.map((g) => [...g]),
    genreMovieFrequencies: Object.fromEntries(genres.map((g) => [g, ML20M_GENRE_MOVIES[g] / ML20M_MOVIES])),
    ratingShares: [...ML20M_RATING_SHARES],
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The ground truth written beside synthetic data (null for real data or a missing file). */
export function loadGroundTruth(folder: string): GroundTruth | null {
  const path = join(folder, "ground-truth.json");
  if (!existsSync(path)) return null;
  const hint = "; regenerate it with `npx cvae data synth <preset> --force`";
  const truth = readJsonFile<GroundTruth>(path, GROUND_TRUTH_SHAPE, hint);
  if (truth.distances.length !== truth.genres.length || truth.distances.some((row) => row.length !== truth.genres.length)) {
    throw new Error(`${path}: distances must be a ${truth.genres.length} x ${truth.genres.length} matrix${hint}`);
  }
  return truth;
}

const CONTEXT_KIND_SHAPE: Shape = {
  object: {
    labels: { array: "string" },
    shares: { array: "number" },
    distances: { array: { array: "number" } },
    lift: { array: { record: "number" } },
  },
};

/** The fields of ground-truth.json the analysis reads. */
const GROUND_TRUTH_SHAPE: Shape = {
  object: {
    format: { literal: "cvae-lens/synthetic-ground-truth" },
    genres: { array: "string" },
    distances: { array: { array: "number" } },
    positions: { record: { array: "number" } },
    contexts: {
      object: {
        daypart: CONTEXT_KIND_SHAPE,
        weekday: CONTEXT_KIND_SHAPE,
      },
    },
  },
  optional: ["contexts"],
};
