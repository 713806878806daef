// Domain figures built on the generic charts of plots.ts: one colour per genre everywhere.
import type { Figure } from "./display";
import type { GenreCount } from "./genres";
import { genreColor } from "./palette";
import { barChart, type ChartOptions } from "./plots";

/** Bars of per-genre counts or shares, in the given order, each in its genre's colour. */
export function genreBars(counts: readonly GenreCount[], options: ChartOptions & { value?: "count" | "share" }): Figure {
  const value = options.value ?? "count";
  switch (value) {
    case "count":
    case "share":
      return barChart(
        counts.map((g) => g.genre),
        counts.map((g) => g[value]),
        { ...options, colors: counts.map((g) => genreColor(g.genre)) },
      );
    default:
      throw new Error(`genreBars: unknown value "${String(value)}"; expected count or share`);
  }
}
