// The untrained control of the claims: the same architecture with the weights its training
// started from, encoding the same sampled users. Conditioning alone shifts the first layer
// (a condition adds one weight row), so clusters by condition can appear in a model that
// learned nothing; a claim counts as learned only when it holds for the trained model and
// not for the untrained one.
import type { ProcessedDataset } from "../../data/schema";
import type { CvaeModel } from "../../model/cvae-model";
import { type ClaimIntervals, claimIntervals, type IntervalOptions, type Verdict } from "./intervals";
import { claimsInputFor, fitLatentPcas } from "./claims";
import { encodeUnderConditions } from "../latent";

/** What the control says of a claim: learned, shown by the untrained model too, or undecided. */
export type Learned = "learned" | "not learned: the untrained model shows it too" | "undecided: the control is inconclusive" | "—";

/** Learned when the trained model's verdict is "holds" and the control's "does not hold". */
export function learnedVerdict(trained: Verdict, control: Verdict): Learned {
  if (trained !== "holds") return "—";
  if (control === "does not hold" || control === "not applicable") return "learned";
  return control === "holds" ? "not learned: the untrained model shows it too" : "undecided: the control is inconclusive";
}

/**
 * The claims measured, with the same options and the same users, on the model's untrained
 * twin (its own PCAs: the claims are about each model's own space).
 */
export async function untrainedControl(
  model: CvaeModel,
  ds: ProcessedDataset,
  userRows: Int32Array,
  options: Partial<IntervalOptions> & { thresholds?: Readonly<Record<string, number>> } = {},
): Promise<ClaimIntervals> {
  const { thresholds, ...intervalOptions } = options;
  const latents = await encodeUnderConditions(model.untrainedTwin(), ds, userRows);
  return claimIntervals({ ...claimsInputFor(ds, latents, fitLatentPcas(latents)), thresholds }, intervalOptions);
}

export interface ControlledClaim {
  id: string;
  claim: string;
  /** The untrained control's verdicts and values. */
  untrained: { latent: { verdict: Verdict; value: number }; plane: { verdict: Verdict; value: number } };
  learned: { latent: Learned; plane: Learned };
}

/** Each claim's control and learned verdicts, matched by claim id. */
export function compareWithControl(trained: ClaimIntervals, control: ClaimIntervals): ControlledClaim[] {
  return trained.rows.map((r) => {
    const c = control.rows.find((x) => x.id === r.id);
    const cl = c?.latent.verdict ?? "not applicable";
    const cp = c?.plane.verdict ?? "not applicable";
    return {
      id: r.id,
      claim: r.claim,
      untrained: { latent: { verdict: cl, value: c?.latent.value ?? NaN }, plane: { verdict: cp, value: c?.plane.value ?? NaN } },
      learned: { latent: learnedVerdict(r.latent.verdict, cl), plane: learnedVerdict(r.plane.verdict, cp) },
    };
  });
}

/** The trained verdicts beside the untrained control's, as table rows. */
export function controlTable(trained: ClaimIntervals, control: ClaimIntervals): Record<string, string>[] {
  return compareWithControl(trained, control).map((c, i) => ({
    claim: `(${c.id}) ${c.claim}`,
    "trained (latent)": trained.rows[i].latent.verdict,
    "untrained (latent)": c.untrained.latent.verdict,
    "learned? (latent)": c.learned.latent,
    "trained (plane)": trained.rows[i].plane.verdict,
    "untrained (plane)": c.untrained.plane.verdict,
    "learned? (plane)": c.learned.plane,
  }));
}
