// A synthetic MovieLens-like data set in exactly the ML-20M CSV layout (ratings.csv
// `userId,movieId,rating,timestamp` sorted by user then movie; movies.csv
// `movieId,title,genres` with RFC 4180 quoting), deterministic from a seed: the presets,
// and the writer of the world drawn in synth-world.ts (half-star ratings with about half
// at 4+, long-tail popularity and activity).
import { closeSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { writeDirAtomic } from "../../core/fs";
import { mergeOptions } from "../../core/options";
import { groundTruth, ML20M_RATING_SHARES } from "./planted";
import { deriveSeed, Rng } from "../../core/rng";
import { contextProbabilities, moviePosition, plantedContexts, timestampIn } from "./planted-contexts";
import type { Genre } from "../schema";
import { buildCatalogue, drawActivity, drawUser, GENRES, type SynthConfig } from "./synth-world";

export type { SynthConfig };

/**
 * Bumped whenever the generator's output changes, so stale copies are regenerated.
 * 5: timestamps carry the planted context effect (users, movies and ratings as in 4).
 */
export const SYNTH_VERSION = 5;

export type SynthPreset = "synthetic" | "synthetic-tiny" | "synthetic-20m";

export const SYNTH_PRESETS: Readonly<Record<SynthPreset, SynthConfig>> = {
  // The default of `npm run reproduce`: enough users to sample 2,000 for the PCA study.
  synthetic: { users: 6000, movies: 3500, ratings: 600_000, seed: 20200714, minUserRatings: 20 },
  // For tests: runs the whole study in seconds.
  "synthetic-tiny": { users: 600, movies: 500, ratings: 40_000, seed: 20200714, minUserRatings: 20 },
  // ML-20M's size and shape (138,493 users, 27,278 movies, 20,000,263 ratings; ~530 MB).
  "synthetic-20m": { users: 138_493, movies: 27_278, ratings: 20_000_263, seed: 20200714, minUserRatings: 20 },
};

export function isSynthName(name: string): name is SynthPreset {
  return Object.prototype.hasOwnProperty.call(SYNTH_PRESETS, name);
}

export interface SynthSummary {
  users: number;
  movies: number;
  ratings: number;
  moviesRated: number;
  ratingCounts: number[];
  positiveShare: number;
  genreMovieCounts: Record<Genre, number>;
  seconds: number;
}

const FIRST_TS = 789652009; // ML-20M's first and last timestamps
const LAST_TS = 1427784002;

/** Writes ratings.csv, movies.csv, ground-truth.json and README.txt into `folder`, atomically. */
export async function writeSynthetic(
  folder: string,
  overrides: Partial<SynthConfig> = {},
  onProgress?: (usersDone: number, users: number) => void,
): Promise<SynthSummary> {
  const config = mergeOptions(SYNTH_PRESETS.synthetic, overrides, "synthetic data config");
  for (const key of ["users", "movies", "ratings", "minUserRatings"] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1)
      throw new RangeError(`synthetic data config: ${key} must be a positive integer, got ${config[key]}`);
  }
  if (config.minUserRatings > config.movies)
    throw new RangeError(`synthetic data config: minUserRatings ${config.minUserRatings} exceeds movies ${config.movies}`);
  const started = Date.now();
  const rng = new Rng(config.seed);
  const cat = buildCatalogue(config, rng);
  const activity = drawActivity(config, rng);
  const seen = new Int32Array(config.movies).fill(-1);

  // Rating thresholds: quantiles of the scores of a pilot of users so the star shares match ML-20M.
  const pilotState = rng.getState();
  const pilot: number[] = [];
  for (let u = 0; u < Math.min(config.users, 2000); u++) pilot.push(...drawUser(rng, cat, activity[u], seen, u).scores);
  rng.setState(pilotState);
  seen.fill(-1);
  pilot.sort((a, b) => a - b);
  const thresholds: number[] = [];
  let acc = 0;
  for (let c = 0; c < 9; c++) {
    acc += ML20M_RATING_SHARES[c];
    thresholds.push(pilot[Math.min(pilot.length - 1, Math.floor(acc * pilot.length))]);
  }

  // Contexts come from their own stream, so users, movies and ratings are those of version 4.
  const contextRng = new Rng(deriveSeed(config.seed, "contexts"));
  const contextDraw = () => contextRng.random();
  const movieContexts = contextTables(cat.genres.map((gs) => gs.map((g) => GENRES[g])));
  const ratingCounts = new Array(10).fill(0);
  const rated = new Uint8Array(config.movies);
  let written = 0;
  await writeDirAtomic(folder, (tmp) => {
    const fd = openSync(join(tmp, "ratings.csv"), "w");
    const out = new ByteWriter(fd);
    out.ascii("userId,movieId,rating,timestamp\n");
    const packed = new Float64Array(config.movies);
    for (let u = 0; u < config.users; u++) {
      const draw = drawUser(rng, cat, activity[u], seen, u);
      const n = draw.movies.length;
      // Sort by movie (ids increase with the index), carrying the rating class along.
      for (let i = 0; i < n; i++) {
        let c = 0;
        while (c < 9 && draw.scores[i] > thresholds[c]) c++;
        packed[i] = draw.movies[i] * 16 + c;
      }
      const row = packed.subarray(0, n).sort();
      const start = FIRST_TS + Math.floor(rng.random() * (LAST_TS - FIRST_TS - 3e7));
      for (let i = 0; i < n; i++) {
        const j = Math.floor(row[i] / 16);
        const c = row[i] - j * 16;
        ratingCounts[c]++;
        rated[j] = 1;
        out.int(u + 1);
        out.byte(44);
        out.int(cat.ids[j]);
        out.byte(44);
        out.ascii(RATING_TEXT[c]);
        out.byte(44);
        const around = start + Math.floor(rng.random() * 3e7);
        out.int(timestampIn(around, movieContexts.daypart[j].draw(contextDraw), movieContexts.weekday[j].draw(contextDraw), contextDraw));
        out.byte(10);
      }
      written += n;
      if (onProgress && (u % 5000 === 0 || u === config.users - 1)) onProgress(u + 1, config.users);
    }
    out.flush();
    closeSync(fd);
    const movieLines = ["movieId,title,genres"];
    for (let j = 0; j < config.movies; j++)
      movieLines.push(`${cat.ids[j]},${csvField(cat.titles[j])},${cat.genres[j].map((g) => GENRES[g]).join("|")}`);
    writeFileSync(join(tmp, "movies.csv"), movieLines.join("\n") + "\n");
    writeFileSync(
      join(tmp, "ground-truth.json"),
      JSON.stringify(
        {
          ...groundTruth(),
          contexts: plantedContexts(),
          generator: { module: "lib/data/synthetic/synth.ts", version: SYNTH_VERSION, config },
        },
        null,
        1,
      ) + "\n",
    );
    writeFileSync(join(tmp, "README.txt"), README(config));
  });
  const genreMovieCounts = Object.fromEntries(GENRES.map((g, k) => [g, cat.byGenre[k].movies.length]));
  return {
    users: config.users,
    movies: config.movies,
    ratings: written,
    moviesRated: rated.reduce((a, b) => a + b, 0),
    ratingCounts,
    positiveShare: (ratingCounts[7] + ratingCounts[8] + ratingCounts[9]) / written,
    genreMovieCounts,
    seconds: (Date.now() - started) / 1000,
  };
}

/** A draw from a small discrete distribution by its cumulative weights. */
class Cumulative {
  private readonly cdf: Float64Array;
  constructor(p: ArrayLike<number>) {
    let acc = 0;
    this.cdf = Float64Array.from(p, (x) => (acc += x));
  }
  draw(random: () => number): number {
    const u = random() * this.cdf[this.cdf.length - 1];
    let c = 0;
    while (c < this.cdf.length - 1 && u >= this.cdf[c]) c++;
    return c;
  }
}

/** Each movie's daypart and week-part distributions (planted-contexts.ts). */
function contextTables(movieGenres: readonly (readonly Genre[])[]): { daypart: Cumulative[]; weekday: Cumulative[] } {
  const positions = movieGenres.map((gs) => moviePosition(gs));
  return {
    daypart: positions.map((p) => new Cumulative(contextProbabilities(p, "daypart"))),
    weekday: positions.map((p) => new Cumulative(contextProbabilities(p, "weekday"))),
  };
}

const RATING_TEXT = ["0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"];

/** RFC 4180: quote a field holding a comma, quote or newline; double inner quotes. */
export function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Buffered byte output for the 500 MB ratings file (no string building per line). */
class ByteWriter {
  private readonly buf = Buffer.allocUnsafe(1 << 22);
  private pos = 0;
  constructor(private readonly fd: number) {}
  byte(b: number): void {
    if (this.pos === this.buf.length) this.flush();
    this.buf[this.pos++] = b;
  }
  ascii(s: string): void {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }
  int(v: number): void {
    if (this.pos + 12 > this.buf.length) this.flush();
    if (v === 0) {
      this.buf[this.pos++] = 48;
      return;
    }
    let digits = 0;
    for (let t = v; t > 0; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    for (let t = v; t > 0; t = Math.floor(t / 10)) this.buf[--p] = 48 + (t % 10);
    this.pos += digits;
  }
  flush(): void {
    if (this.pos) writeSync(this.fd, this.buf, 0, this.pos);
    this.pos = 0;
  }
}

function README(config: SynthConfig): string {
  return [
    "SYNTHETIC DATA - not MovieLens, not real users.",
    "",
    "Generated by cvae-lens (lib/data/synthetic/synth.ts) in the ML-20M CSV layout: ratings.csv and movies.csv.",
    `users ${config.users}, movies ${config.movies}, target ratings ${config.ratings}, seed ${config.seed}.`,
    "Users' tastes and the genre mix of movies derive from planted genre positions, and each rating's",
    "time (UTC) from planted daypart and weekend preferences of its movie's genres; both are",
    "written to ground-truth.json so analyses can check what a model recovers.",
    "",
  ].join("\n");
}
