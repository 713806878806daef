// One colour per genre, the same in every figure. Fixed assignments for the MovieLens
// genre labels (grouped so related genres get related hues); any other label gets a
// stable colour from its name.
export const GENRE_COLORS: Readonly<Record<string, string>> = {
  Action: "#d62728",
  Adventure: "#ff7f0e",
  Animation: "#f7b6d2",
  Children: "#e377c2",
  Comedy: "#ffbb00",
  Crime: "#5c3d2e",
  Documentary: "#7f7f7f",
  Drama: "#1f77b4",
  Fantasy: "#c49cde",
  "Film-Noir": "#17202a",
  Horror: "#8b0000",
  IMAX: "#17becf",
  Musical: "#bcbd22",
  Mystery: "#6a3d9a",
  Romance: "#ff6f91",
  "Sci-Fi": "#2ca02c",
  Thriller: "#8c564b",
  War: "#556b2f",
  Western: "#c68642",
  "(no genres listed)": "#b0b0b0",
};

/** Fixed colours for the interaction contexts (data/conditions.ts): a day's course, and weekday against weekend. */
export const CONTEXT_COLORS: Readonly<Record<string, string>> = {
  night: "#253494",
  morning: "#f6c141",
  afternoon: "#e8702a",
  evening: "#8e3b8e",
  weekday: "#4c78a8",
  weekend: "#e45756",
};

/** Colour for unconditioned users (the zero condition): black, as in the paper. */
export const NO_CONDITION_COLOR = "#000000";

const FALLBACK = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"];

export function genreColor(genre: string): string {
  const fixed = GENRE_COLORS[genre] ?? CONTEXT_COLORS[genre];
  if (fixed) return fixed;
  let h = 0;
  for (let i = 0; i < genre.length; i++) h = (Math.imul(h, 31) + genre.charCodeAt(i)) >>> 0;
  return FALLBACK[h % FALLBACK.length];
}

/** Colours of the series that are not genres, the same in every figure. */
export const SERIES_COLORS = {
  /** The trained model (C-VAE or Mult-VAE), and the user a figure is about. */
  model: "#e45756",
  /** Baselines and averages (popularity, the average user). */
  baseline: "#9d9d9d",
  /** First and second series of a neutral comparison (e.g. two PCA fits, loss). */
  primary: "#4c78a8",
  secondary: "#f58518",
  /** What a filter keeps and what it drops (e.g. ratings above the positive threshold). */
  kept: "#2f6f9f",
  dropped: "#b8c7d6",
} as const;

/** Colour of a method in result figures: models red, the popularity baseline grey, anything else a stable colour from its name. */
export function methodColor(method: string): string {
  switch (method) {
    case "C-VAE":
    case "Mult-VAE":
      return SERIES_COLORS.model;
    case "popularity":
      return SERIES_COLORS.baseline;
    default:
      return genreColor(method);
  }
}
