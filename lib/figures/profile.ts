// Figures of user profiling (notebook 05): the light <-> serious direction against what
// users watched, and one user's genre shares beside the average sampled user's.
import { LIGHT_GENRES, type ProfileCard, SERIOUS_GENRES } from "../analysis/profile";
import { NO_CONDITION_COLOR, SERIES_COLORS } from "./palette";
import { type Figure, groupedBars, scatterChart } from "./plots";

/** Each sampled user's latent position on the light <-> serious direction against the serious - light share of their history. */
export function seriousAxisScatter(
  axis: { position: readonly number[]; lean: readonly number[] },
  options: { subtitle?: string } = {},
): Figure {
  return scatterChart([{ name: "sampled users", color: NO_CONDITION_COLOR, x: axis.position, y: axis.lean, size: 4 }], {
    title: "Latent position on the light ↔ serious direction against the history",
    subtitle: options.subtitle,
    xTitle: `position (${LIGHT_GENRES.join(", ")} ← → ${SERIOUS_GENRES.join(", ")})`,
    yTitle: "serious − light share",
  });
}

/** The genres a user watched most (up to `top`), their share of the user's history beside the average sampled user's. */
export function watchedVersusAverage(
  card: ProfileCard,
  shares: readonly Record<string, number>[],
  options: { subtitle?: string; top?: number } = {},
): Figure {
  const top = card.watched.slice(0, options.top ?? 8);
  const mean = (g: string) => shares.reduce((a, s) => a + (s[g] ?? 0), 0) / Math.max(1, shares.length);
  return groupedBars(
    top.map((w) => w.genre),
    [
      { name: `user ${card.userId}`, values: top.map((w) => w.share), color: SERIES_COLORS.model },
      { name: "average sampled user", values: top.map((w) => mean(w.genre)), color: SERIES_COLORS.baseline },
    ],
    {
      title: `What user ${card.userId} watched (profile: ${card.profile.join(", ")})`,
      subtitle: options.subtitle,
      yTitle: "share of the history",
    },
  );
}
