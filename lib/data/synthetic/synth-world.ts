// The synthetic world behind the synthetic data sets: a catalogue whose genre labels
// follow ML-20M's frequencies and the planted affinities (planted.ts), IMAX mostly on
// spectacle genres, niche sectors inside each genre, and users whose tastes come from the
// planted positions. synth.ts writes it out in the ML-20M file layout.
import { ML20M_GENRE_MOVIES, ML20M_MOVIES, PLANTED_POSITIONS } from "./planted";
import type { Rng } from "../../core/rng";
import { ML20M_GENRES, NO_GENRES } from "../schema";

export interface SynthConfig {
  users: number;
  movies: number;
  /** Target number of ratings (the result is within a fraction of a percent). */
  ratings: number;
  seed: number;
  /** Every user has at least this many ratings (ML-20M: 20). */
  minUserRatings: number;
}

export const GENRES = ML20M_GENRES;
const G = GENRES.length;
const NONE = GENRES.indexOf(NO_GENRES);
const IMAX = GENRES.indexOf("IMAX");
const BIG_THREE = ["Action", "Adventure", "Sci-Fi"].map((g) => GENRES.indexOf(g));
const RARELY_IMAX = ["War", "Western"].map((g) => GENRES.indexOf(g));
const DIMS = 5;
const POS = GENRES.map((g) => PLANTED_POSITIONS[g]);
const FREQ = GENRES.map((g) => ML20M_GENRE_MOVIES[g] / ML20M_MOVIES);

/** Vose's alias method: O(1) draws from a fixed discrete distribution. */
class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i];
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = Float64Array.from(weights, (w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length && large.length) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.prob[i] = 1;
  }
  draw(rng: Rng): number {
    const i = rng.integer(this.prob.length);
    return rng.random() < this.prob[i] ? i : this.alias[i];
  }
}

export interface Catalogue {
  ids: Int32Array;
  titles: string[];
  genres: number[][];
  pos: Float64Array; // movies x DIMS
  quality: Float64Array;
  byGenre: { movies: Int32Array; table: AliasTable; sectors: { movies: Int32Array; table: AliasTable }[] }[];
}

/**
 * Niches inside a genre: movies of genre k fall into SECTORS angular sectors around the
 * genre's position (in a plane fixed per genre), and a user prefers the sector their
 * taste points to. This is the collaborative signal beyond genre and popularity.
 */
const SECTORS = 6;
const NICHE_SHARE = 0.7;

function sectorOf(pos: ArrayLike<number>, offset: number, k: number): number {
  // The plane of genre k: axes (cos a, sin a, 0) and (0, 0, 1) rotated by a genre-specific angle.
  const a = (2 * Math.PI * k) / GENRES.length;
  const d0 = pos[offset] - POS[k][0];
  const d1 = pos[offset + 1] - POS[k][1];
  const d2 = pos[offset + 2] - POS[k][2];
  const x = Math.cos(a) * d0 + Math.sin(a) * d1;
  const y = d2 * Math.cos(a) - (Math.cos(a) * d1 - Math.sin(a) * d0) * Math.sin(a);
  const angle = Math.atan2(y, x) + Math.PI; // 0 .. 2 pi
  return Math.min(SECTORS - 1, Math.floor((angle / (2 * Math.PI)) * SECTORS));
}

function drawGenres(rng: Rng): number[] {
  if (rng.random() < FREQ[NONE]) return [NONE]; // "(no genres listed)" carries no other genre
  const primaryWeights = FREQ.map((f, k) => (k === NONE || k === IMAX ? 0 : f));
  const genres = [new AliasTable(primaryWeights).draw(rng)];
  const u = rng.random();
  const extra = u < 0.38 ? 0 : u < 0.71 ? 1 : u < 0.91 ? 2 : 3;
  for (let e = 0; e < extra; e++) {
    // Co-occurrence follows the planted affinity to the genres already drawn.
    const w = FREQ.map((f, k) => {
      if (k === NONE || k === IMAX || genres.includes(k)) return 0;
      let a = 0;
      for (const g of genres) a = Math.max(a, affinity(POS[g], POS[k], 0.8));
      return f * a;
    });
    genres.push(new AliasTable(w).draw(rng));
  }
  // About 0.7 % of movies, as in ML-20M, nearly all of them spectacle genres.
  const spectacle = genres.filter((g) => BIG_THREE.includes(g)).length;
  const imaxChance = spectacle > 0 ? 0.018 * spectacle * spectacle : genres.some((g) => RARELY_IMAX.includes(g)) ? 0.0002 : 0.0008;
  if (rng.random() < imaxChance) genres.push(IMAX);
  return genres.sort((a, b) => GENRES[a].localeCompare(GENRES[b]));
}

function affinity(a: readonly number[] | Float64Array, b: readonly number[] | Float64Array, width: number, offsetB = 0): number {
  let s = 0;
  for (let d = 0; d < DIMS; d++) s += (a[d] - b[offsetB + d]) ** 2;
  return Math.exp(-s / (2 * width * width));
}

const TITLE_A = [
  "Silent",
  "Last",
  "Broken",
  "Golden",
  "Dark",
  "Crimson",
  "Hidden",
  "Lonely",
  "Wild",
  "Frozen",
  "Secret",
  "Burning",
  "Little",
  "Long",
  "Electric",
  "Midnight",
  "Paper",
  "Iron",
  "Glass",
  "Lost",
];
const TITLE_B = [
  "River",
  "Summer",
  "Kingdom",
  "Letter",
  "Road",
  "Garden",
  "Empire",
  "Witness",
  "Harbor",
  "Promise",
  "Machine",
  "Orchard",
  "Voyage",
  "Stranger",
  "Signal",
  "Carnival",
  "Frontier",
  "Mirror",
  "Dancer",
  "Storm",
];

function drawTitle(rng: Rng, k: number): string {
  const a = TITLE_A[rng.integer(TITLE_A.length)];
  const b = TITLE_B[rng.integer(TITLE_B.length)];
  const year = 1915 + Math.floor(100 * Math.sqrt(rng.random()));
  const u = rng.random();
  // MovieLens writes leading articles at the end ("American President, The (1995)").
  let title =
    u < 0.2 ? `${a} ${b}, The` : u < 0.27 ? `${b} ${k}, A` : u < 0.32 ? `"${a}" ${b}` : u < 0.36 ? `${a}, ${b} and Me` : `${a} ${b}`;
  if (rng.random() < 0.02) title += ` II`;
  return `${title} (${year})`;
}

export function buildCatalogue(config: SynthConfig, rng: Rng): Catalogue {
  const M = config.movies;
  const ids = new Int32Array(M);
  const titles: string[] = [];
  const genres: number[][] = [];
  const pos = new Float64Array(M * DIMS);
  const quality = new Float64Array(M);
  const popularity = new Float64Array(M);
  let id = 0;
  for (let j = 0; j < M; j++) {
    id += 1 + (rng.random() < 0.1 ? rng.integer(5) : 0); // ids with gaps, increasing
    ids[j] = id;
    titles.push(drawTitle(rng, j));
    const gs = drawGenres(rng);
    genres.push(gs);
    for (const g of gs) for (let d = 0; d < DIMS; d++) pos[j * DIMS + d] += POS[g][d] / gs.length;
    for (let d = 0; d < 3; d++) pos[j * DIMS + d] += 0.3 * rng.normal();
    quality[j] = 0.5 * rng.normal();
    popularity[j] = Math.exp(1.6 * rng.normal()) * (gs[0] === NONE ? 0.15 : 1);
  }
  const table = (movies: Int32Array) => new AliasTable(movies.length ? Array.from(movies, (j) => popularity[j]) : [1]);
  const byGenre = GENRES.map((_, k) => {
    const movies = Int32Array.from(genres.flatMap((gs, j) => (gs.includes(k) ? [j] : [])));
    const sectors = Array.from({ length: SECTORS }, (_, sct) => {
      const inSector = movies.filter((j) => sectorOf(pos, j * DIMS, k) === sct);
      return { movies: inSector, table: table(inSector) };
    });
    return { movies, table: table(movies), sectors };
  });
  return { ids, titles, genres, pos, quality, byGenre };
}

/** One user's ratings: movie indices and rating classes (0..9 = 0.5..5.0 stars). */
export interface UserDraw {
  movies: Int32Array;
  scores: Float64Array;
}

export function drawUser(rng: Rng, cat: Catalogue, count: number, seen: Int32Array, stampValue: number): UserDraw {
  const K = 1 + (rng.random() < 0.5 ? 1 : 0) + (rng.random() < 0.25 ? 1 : 0);
  const favWeights = FREQ.map((f, k) => (k === NONE || k === IMAX ? 0 : f ** 0.6));
  const taste = new Float64Array(DIMS);
  let total = 0;
  const chosen: number[] = [];
  for (let i = 0; i < K; i++) {
    const k = new AliasTable(favWeights.map((w, g) => (chosen.includes(g) ? 0 : w))).draw(rng);
    chosen.push(k);
    const w = -Math.log(1 - rng.random()); // Dirichlet(1) weights
    total += w;
    for (let d = 0; d < DIMS; d++) taste[d] += w * POS[k][d];
  }
  for (let d = 0; d < DIMS; d++) taste[d] /= total;
  for (let d = 0; d < 3; d++) taste[d] += 0.35 * rng.normal();
  const pref = new Float64Array(G);
  let cum = 0;
  for (let k = 0; k < G; k++) {
    cum += cat.byGenre[k].movies.length ? FREQ[k] ** 0.8 * affinity(taste, POS[k], 0.9) : 0;
    pref[k] = cum;
  }
  const bias = 0.4 * rng.normal();
  const niche = GENRES.map((_, k) => sectorOf(taste, 0, k));
  const movies = new Int32Array(count);
  const scores = new Float64Array(count);
  let n = 0;
  let tries = 0;
  while (n < count && tries < 50 * count) {
    tries++;
    const x = rng.random() * cum;
    let k = 0;
    while (pref[k] <= x && k < G - 1) k++;
    const genre = cat.byGenre[k];
    const sector = genre.sectors[niche[k]];
    const list = sector.movies.length > 0 && rng.random() < NICHE_SHARE ? sector : genre;
    const j = list.movies[list.table.draw(rng)];
    if (seen[j] === stampValue) continue;
    seen[j] = stampValue;
    movies[n] = j;
    scores[n] = 2.2 * affinity(taste, cat.pos, 1.0, j * DIMS) + cat.quality[j] + bias + 0.6 * rng.normal();
    n++;
  }
  return { movies: movies.subarray(0, n), scores: scores.subarray(0, n) };
}

/** Ratings per user: a long-tailed (log-normal) activity above the minimum, summing to `ratings` where the caps allow. */
export function drawActivity(config: SynthConfig, rng: Rng): Int32Array {
  const raw = Float64Array.from({ length: config.users }, () => Math.exp(1.05 * rng.normal()));
  const sum = raw.reduce((a, b) => a + b, 0);
  const spare = Math.max(0, config.ratings - config.minUserRatings * config.users);
  const cap = Math.max(config.minUserRatings, Math.floor(0.6 * config.movies));
  const counts = Int32Array.from(raw, (r) => Math.min(cap, config.minUserRatings + Math.floor((r * spare) / sum)));
  // Hand out what rounding left over, one rating per user in turn, so the total is exact.
  let left = config.ratings - counts.reduce((a, b) => a + b, 0);
  for (let u = 0; left > 0 && u < 10 * config.users; u++) {
    const k = u % config.users;
    if (counts[k] < cap) {
      counts[k]++;
      left--;
    }
  }
  return counts;
}
