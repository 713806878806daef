// The context effect planted in the synthetic data sets: each daypart and each week part
// has a position in the planted taste space (planted.ts), and a rating's context is drawn
// from its movie's genres: a movie lying near a context's position is rated in that context
// more often than its base share says (serious and noir films in the evening, family films
// in the morning and at the weekend, spectacle at night and at the weekend). synth.ts then
// draws each rating's timestamp inside the drawn daypart and week part (UTC). The positions,
// shares and the per-genre lift they imply go to ground-truth.json, so notebook 06 can check
// what a model conditioned on contexts recovers.
import { DAYPARTS, WEEK_PARTS } from "../conditions/conditions";
import { type PlantedContextKind, type PlantedContexts, PLANTED_POSITIONS } from "./planted";
import type { Genre } from "../schema";

export const CONTEXT_WIDTH = 1.0;

const DAYPART_POSITIONS: readonly (readonly number[])[] = [
  [0.9, -0.5, 1.2, 0, 0], // night: horror, sci-fi, thrillers
  [-1.3, -1.6, 0.1, 0, 0], // morning: children, animation
  [-0.8, -0.3, 0.8, 0, 0], // afternoon: comedy, adventure
  [1.0, 0.8, -0.3, 0.6, 0], // evening: drama, crime, mystery, noir
];
const DAYPART_SHARES = [0.12, 0.18, 0.3, 0.4];
const WEEK_POSITIONS: readonly (readonly number[])[] = [
  [0.7, 1.0, -0.8, 0.3, 0], // weekday: serious, intimate
  [-0.6, -1.0, 1.2, 0, 0], // weekend: family, spectacle
];
const WEEK_SHARES = [0.62, 0.38];

function distance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += (a[d] - b[d]) ** 2;
  return Math.sqrt(s);
}

/** P(context | a movie at `position`): each base share times the pull of the context's position, normalised. */
export function contextProbabilities(position: readonly number[], kind: "daypart" | "weekday"): Float64Array {
  const positions = kind === "daypart" ? DAYPART_POSITIONS : WEEK_POSITIONS;
  const shares = kind === "daypart" ? DAYPART_SHARES : WEEK_SHARES;
  const w = Float64Array.from(positions, (p, c) => shares[c] * Math.exp(-(distance(position, p) ** 2) / (2 * CONTEXT_WIDTH ** 2)));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

/** A movie's position: the mean of its genres' planted positions. */
export function moviePosition(genres: readonly Genre[]): number[] {
  const out = [0, 0, 0, 0, 0];
  for (const g of genres) PLANTED_POSITIONS[g].forEach((x, d) => (out[d] += x / genres.length));
  return out;
}

function kindTruth(kind: "daypart" | "weekday"): PlantedContextKind {
  const positions = kind === "daypart" ? DAYPART_POSITIONS : WEEK_POSITIONS;
  const shares = kind === "daypart" ? DAYPART_SHARES : WEEK_SHARES;
  const genres = Object.keys(PLANTED_POSITIONS);
  const byGenre = new Map(genres.map((g) => [g, contextProbabilities(PLANTED_POSITIONS[g], kind)]));
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    labels: [...(kind === "daypart" ? DAYPARTS : WEEK_PARTS)],
    shares: [...shares],
    positions: positions.map((p) => [...p]),
    distances: positions.map((a) => positions.map((b) => round(distance(a, b)))),
    lift: shares.map((s, c) => Object.fromEntries(genres.map((g) => [g, round((byGenre.get(g) as Float64Array)[c] / s)]))),
  };
}

export function plantedContexts(): PlantedContexts {
  return { daypart: kindTruth("daypart"), weekday: kindTruth("weekday"), width: CONTEXT_WIDTH };
}

const DAY = 86400;

/**
 * A timestamp near `around` (Unix seconds, UTC) in the given daypart and week part: the first
 * day on or after `around`'s with the week part, at an hour of the daypart; `draw` gives [0, 1).
 */
export function timestampIn(around: number, daypart: number, weekPart: number, draw: () => number): number {
  let day = Math.floor(around / DAY);
  const weekendOf = (d: number) => {
    const w = (d + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    return w === 0 || w === 6 ? 1 : 0;
  };
  while (weekendOf(day) !== weekPart) day++;
  const hour = 6 * daypart + Math.floor(draw() * 6);
  return day * DAY + hour * 3600 + Math.floor(draw() * 3600);
}
