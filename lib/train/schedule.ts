// The KL weight beta of the C-VAE loss: annealed linearly from 0 to a cap over a
// number of updates (Liang et al. 2018), or fixed (the paper's best: 0.008).
import { DECIMAL, type FieldFlags } from "../core/fields";

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

/** The problem with a schedule ("anneal cap must be >= 0"), or null. */
export function betaProblem(schedule: BetaSchedule): string | null {
  if (schedule === null || typeof schedule !== "object") return "must be a schedule object";
  switch (schedule.kind) {
    case "fixed":
      return schedule.value >= 0 && Number.isFinite(schedule.value) ? null : "fixed value must be >= 0";
    case "anneal":
      if (!(schedule.cap >= 0 && Number.isFinite(schedule.cap))) return "anneal cap must be >= 0";
      if (!(Number.isInteger(schedule.steps) && schedule.steps > 0)) return "anneal steps must be a positive integer";
      return null;
    default:
      return 'kind must be "fixed" or "anneal"';
  }
}

/** Checks a schedule; errors name the bad field. */
export function validateBetaSchedule(schedule: BetaSchedule): BetaSchedule {
  const problem = betaProblem(schedule);
  if (problem) throw new RangeError(`beta: ${problem}, got ${JSON.stringify(schedule)}`);
  return schedule;
}

/** A schedule as typed (a notebook's --param beta=...): a plain number is a fixed beta, anything else JSON. */
export function parseBeta(text: string): BetaSchedule {
  const t = text.trim();
  if (DECIMAL.test(t)) return { kind: "fixed", value: Number(t) };
  return JSON.parse(t) as BetaSchedule;
}

/** The CLI's beta flags: --beta for a fixed beta, or --beta-cap and --anneal-steps for Liang et al.'s annealing. */
export const BETA_FLAGS: FieldFlags<BetaSchedule> = {
  flags: {
    beta: {
      type: "number",
      default: (PAPER_BETA_SCHEDULE as { value: number }).value,
      min: 0,
      max: 1000,
      help: "fixed KL weight (instead of annealing)",
      reason: "the paper's best beta",
    },
    "beta-cap": {
      type: "number",
      default: ANNEAL_BETA_SCHEDULE.cap,
      min: 0,
      max: 1000,
      help: "anneal beta to this cap (instead of the fixed beta)",
      reason: "Liang et al. 2018",
    },
    "anneal-steps": {
      type: "integer",
      default: ANNEAL_BETA_SCHEDULE.steps,
      min: 1,
      max: 1e9,
      help: "updates to reach the cap",
      reason: "Liang et al. 2018",
    },
  },
  read(given, current) {
    const anneal = given["beta-cap"] !== undefined || given["anneal-steps"] !== undefined;
    if (given.beta !== undefined && anneal)
      throw new RangeError("a fixed beta (--beta) and annealing (--beta-cap, --anneal-steps) exclude each other");
    if (given.beta !== undefined) return { kind: "fixed", value: Number(given.beta) };
    if (!anneal) return undefined;
    // Annealing flags change what they name and keep the rest of the current annealing (else Liang et al.'s).
    const base = current.kind === "anneal" ? current : ANNEAL_BETA_SCHEDULE;
    return { kind: "anneal", cap: Number(given["beta-cap"] ?? base.cap), steps: Number(given["anneal-steps"] ?? base.steps) };
  },
};
