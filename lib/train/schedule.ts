// The KL weight beta of the C-VAE loss: annealed linearly from 0 to a cap over a
// number of updates (Liang et al. 2018), or fixed (the paper's best: 0.008).

export type BetaSchedule = { kind: "anneal"; cap: number; steps: number } | { kind: "fixed"; value: number };

/** Liang et al.'s annealing (Mult-VAE), where \`cvae train --beta-cap\` and \`--anneal-steps\` start from. */
export const ANNEAL_BETA_SCHEDULE: Extract<BetaSchedule, { kind: "anneal" }> = { kind: "anneal", cap: 0.2, steps: 200_000 };
/** The C-VAE paper's best beta (Carraro et al. 2020, section 3). */
export const PAPER_BETA_SCHEDULE: BetaSchedule = { kind: "fixed", value: 0.008 };

/** beta after `update` optimiser updates. */
export function betaAt(update: number, schedule: BetaSchedule): number {
  switch (schedule.kind) {
    case "fixed":
      return schedule.value;
    case "anneal":
      return Math.min(schedule.cap, update / schedule.steps);
    default:
      throw new Error(`unknown beta schedule kind: ${(schedule as { kind: string }).kind}`);
  }
}

/** Checks a schedule; errors name the bad field. */
export function validateBetaSchedule(schedule: BetaSchedule): BetaSchedule {
  switch (schedule.kind) {
    case "fixed":
      if (!(schedule.value >= 0 && Number.isFinite(schedule.value)))
        throw new RangeError(`beta: fixed value must be >= 0, got ${schedule.value}`);
      return schedule;
    case "anneal":
      if (!(schedule.cap >= 0 && Number.isFinite(schedule.cap))) throw new RangeError(`beta: anneal cap must be >= 0, got ${schedule.cap}`);
      if (!(Number.isInteger(schedule.steps) && schedule.steps > 0))
        throw new RangeError(`beta: anneal steps must be a positive integer, got ${schedule.steps}`);
      return schedule;
    default:
      throw new Error(`unknown beta schedule kind: ${(schedule as { kind: string }).kind}`);
  }
}
