// A permutation null for the claims that tie the latent geometry to the data's genre
// statistics: (d) popularity against distance from the centre, (g1) co-occurrence against
// centroid distances. Each genre's label moves to as many movies drawn at random (so every
// genre keeps its number of movies), popularity and co-occurrence are recomputed, and the
// claims are measured again on the same latent space. If the model's geometry follows the real
// statistics, the shuffled ones should rarely give as strong a value.
import { Rng } from "../../core/rng";
import { genreCooccurrence } from "../../data/conditions/genres";
import type { Genre, MovieTable, ProcessedDataset } from "../../data/schema";
import { type ClaimsInput, prepareClaims } from "./claims";
import { nearestRankSorted } from "./intervals";

/** The claims this null applies to, with the side of the threshold on which each holds. */
export const NULL_CLAIMS = { d: "below", g1: "above" } as const;

export interface NullOptions {
  permutations: number;
  seed: number;
}

export interface ClaimNull {
  id: keyof typeof NULL_CLAIMS;
  /** The value on the real statistics. */
  observed: number;
  /** The central 95 % of the values on shuffled statistics. */
  nullInterval: [number, number];
  /** (1 + shuffles at least as extreme as observed, in the claim's direction) / (1 + shuffles). */
  pValue: number;
  /** Share of the shuffles in which the claim holds. */
  holdsShare: number;
  /** Whether the claim holds on the real statistics. */
  observedHolds: boolean;
  /** "beyond the null": holds and p <= 0.025; "within the null": holds but shuffled labels do as well; "—": does not hold. */
  verdict: "beyond the null" | "within the null" | "—";
}

/** Popularity (positive interactions per genre) and co-occurrence with each movie carrying `lists[row]` as its genres. */
export function statsWithGenres(
  ds: ProcessedDataset,
  lists: readonly Genre[][],
  genres: string[],
): Pick<ClaimsInput, "popularity" | "cooccurrence"> {
  const popularity: Record<string, number> = {};
  lists.forEach((gs, row) => {
    const n = ds.moviePositiveCounts[row];
    if (n > 0) for (const g of gs) popularity[g] = (popularity[g] ?? 0) + n;
  });
  return { popularity, cooccurrence: genreCooccurrence({ ...ds.movies, genres: lists.map((gs) => [...gs]) }, genres) };
}

/**
 * The movies' genre labels shuffled, each genre independently: a genre on n movies goes to n
 * movies drawn at random, so every genre keeps its count while which genres meet on a movie,
 * and which movies carry them, is left to chance.
 */
export function shuffleGenreLabels(movies: MovieTable, rng: Rng): Genre[][] {
  const counts = new Map<Genre, number>();
  for (const gs of movies.genres) for (const g of gs) counts.set(g, (counts.get(g) ?? 0) + 1);
  const lists: Genre[][] = movies.genres.map(() => []);
  for (const [g, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (const row of rng.sampleWithoutReplacement(movies.genres.length, n)) lists[row].push(g);
  }
  return lists;
}

/**
 * Measures (d) and (g1) on `permutations` shufflings of the movies' genre lists (seeded).
 * It shuffles genres, so it applies to genre conditions only: other kinds give no rows.
 */
export function genreLabelNull(ds: ProcessedDataset, input: ClaimsInput, options: NullOptions): ClaimNull[] {
  // At least 39 shufflings, so that the smallest p-value, 1 / (1 + permutations), can reach 0.025.
  if (!Number.isInteger(options.permutations) || options.permutations < 39)
    throw new RangeError(`permutations must be an integer >= 39 (so a p-value can reach 0.025), got ${options.permutations}`);
  if (ds.conditions.kind !== "genre") return [];
  const setup = prepareClaims(input);
  const observed = setup.measure(null);
  const ids = (Object.keys(NULL_CLAIMS) as (keyof typeof NULL_CLAIMS)[]).filter((id) => observed.some((r) => r.id === id));
  const samples = new Map(ids.map((id) => [id, [] as number[]]));
  const holds = new Map(ids.map((id) => [id, 0]));
  const rng = new Rng(options.seed);
  for (let p = 0; p < options.permutations; p++) {
    const rows = setup.measure(null, statsWithGenres(ds, shuffleGenreLabels(ds.movies, rng), input.cooccurrence.genres));
    for (const id of ids) {
      const r = rows.find((x) => x.id === id);
      if (!r) continue;
      if (Number.isFinite(r.latent.value)) samples.get(id)?.push(r.latent.value);
      if (r.latent.holds) holds.set(id, (holds.get(id) ?? 0) + 1);
    }
  }
  return ids.map((id) => {
    const row = observed.find((r) => r.id === id);
    const value = row?.latent.value ?? NaN;
    const observedHolds = row?.latent.holds === true;
    const values = samples.get(id) ?? [];
    const sorted = [...values].sort((a, b) => a - b);
    const q = (f: number) => nearestRankSorted(sorted, f);
    const extreme = values.filter((v) => (NULL_CLAIMS[id] === "below" ? v <= value : v >= value)).length;
    const pValue = (1 + extreme) / (1 + options.permutations);
    return {
      id,
      observed: value,
      nullInterval: [q(0.025), q(0.975)],
      pValue,
      holdsShare: (holds.get(id) ?? 0) / options.permutations,
      observedHolds,
      verdict: !observedHolds ? "—" : pValue <= 0.025 ? "beyond the null" : "within the null",
    };
  });
}

/** The null's results as table rows. */
export function nullTable(result: readonly ClaimNull[]): Record<string, string>[] {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
  return result.map((r) => ({
    claim: `(${r.id})`,
    observed: f(r.observed),
    "shuffled labels, central 95 %": `[${f(r.nullInterval[0])}, ${f(r.nullInterval[1])}]`,
    "p-value": r.pValue.toPrecision(2),
    verdict: r.verdict,
  }));
}
