// Figures of the data (notebooks 01 and 02): star ratings, long tails and per-genre counts,
// each genre in its own colour.
import type { GenreCount, ImaxBreakdown } from "../data/conditions/genres";
import { binLabel, type LogBin, type ValueCount } from "../data/describe";
import { genreColor, SERIES_COLORS } from "./palette";
import { barChart, type ChartOptions, type Figure } from "./plots";

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

/** Ratings per star value, the stars the protocol keeps (above `threshold`) in the "kept" colour. */
export function starHistogram(stars: readonly ValueCount[], threshold: number, options: { subtitle?: string } = {}): Figure {
  return barChart(
    stars.map((s) => s.value.toFixed(1)),
    stars.map((s) => s.count),
    {
      title: "Ratings per star value",
      subtitle: options.subtitle,
      xTitle: "stars",
      yTitle: "ratings",
      colors: stars.map((s) => (s.value > threshold ? SERIES_COLORS.kept : SERIES_COLORS.dropped)),
    },
  );
}

/** Counts in powers-of-two bins (describe.ts's logBins), as bars labelled by range. */
export function binnedBars(bins: readonly LogBin[], options: ChartOptions): Figure {
  return barChart(
    bins.map(binLabel),
    bins.map((b) => b.count),
    options,
  );
}

/**
 * The genres of the IMAX movies as shares; a data set without IMAX movies (ML-100K), or whose
 * IMAX movies have no other genre, gets a sentence saying so instead of an empty axis.
 */
export function imaxGenreBars(imax: ImaxBreakdown, options: ChartOptions): Figure {
  const empty =
    imax.movies === 0
      ? `No ${imax.label} movies in this data set, so there is no breakdown to show.`
      : `The ${imax.movies} ${imax.label} movies here have no other genre.`;
  return genreBars(imax.genres, { value: "share", yTitle: `share of ${imax.label} movies`, empty, ...options });
}
