// The paper's claims and the profiles' agreement over models trained with different seeds: per
// claim, in how many seed models it holds (point value and bootstrap verdict), whether it is
// learned in each (against that model's untrained twin), and the spread of its value; per
// agreement statistic, its spread and how often the profiles beat the popularity baseline.
import type { ProcessedDataset } from "../data/schema";
import type { CvaeModel } from "../model/cvae-model";
import type { SeedModel } from "../train/seeds";
import { type ClaimIntervals, claimIntervals, type IntervalOptions, type Verdict } from "./claims/intervals";
import { compareWithControl, type Learned, untrainedControl } from "./claims/controls";
import { claimsInputFor, fitLatentPcas } from "./claims/claims";
import { encodeUnderConditions } from "./latent";
import { agreementWithHistory, type ProfileAgreement, profileSpace, watchedShares } from "./profile";

/** The spread of one value over seeds (finite values only). */
export interface Spread {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1); NaN for fewer than 2 values. */
  sd: number;
  min: number;
  max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, min: NaN, max: NaN };
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  const sd = n < 2 ? NaN : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { n, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

/** "0.412 ± 0.013 (0.398..0.425)", or "n/a" without values. */
export function spreadText(s: Spread, digits = 3): string {
  if (s.n === 0) return "n/a";
  const sd = Number.isFinite(s.sd) ? ` ± ${s.sd.toFixed(digits)}` : "";
  return `${s.mean.toFixed(digits)}${sd} (${s.min.toFixed(digits)}..${s.max.toFixed(digits)})`;
}

/** One seed model's claims (and its untrained control's, when measured). */
export interface SeedClaims {
  seed: number;
  run: string;
  claims: ClaimIntervals;
  control: ClaimIntervals | null;
}

export interface SeedClaimOptions extends Partial<IntervalOptions> {
  thresholds?: Readonly<Record<string, number>>;
  /** Measure each model's untrained twin too (default true). */
  control?: boolean;
}

/** A seed model's claims on the given users, measured as `cvae explore` measures the explored model. */
export async function seedClaims(
  model: CvaeModel,
  ds: ProcessedDataset,
  userRows: Int32Array,
  options: SeedClaimOptions = {},
): Promise<SeedClaims> {
  const { control = true, thresholds, ...intervals } = options;
  const latents = await encodeUnderConditions(model, ds, userRows);
  const claims = claimIntervals({ ...claimsInputFor(ds, latents, fitLatentPcas(latents)), thresholds }, intervals);
  const twin = control ? await untrainedControl(model, ds, userRows, { ...intervals, thresholds }) : null;
  return { seed: model.config.seed, run: model.config.run, claims, control: twin };
}

/**
 * The claims of every seed model on the same users with the same options, one model at a time (one
 * scorer open at once); the explored model's claims and control, already measured, are reused.
 */
export async function claimsOfSeedModels(
  models: readonly SeedModel[],
  explored: { model: CvaeModel; claims: ClaimIntervals; control: ClaimIntervals | null },
  ds: ProcessedDataset,
  userRows: Int32Array,
  options: SeedClaimOptions = {},
): Promise<SeedClaims[]> {
  const out: SeedClaims[] = [];
  for (const m of models)
    out.push(
      m.model === explored.model
        ? { seed: m.seed, run: m.run, claims: explored.claims, control: explored.control }
        : await seedClaims(m.model, ds, userRows, options),
    );
  return out;
}

export interface SeedVerdict {
  seed: number;
  run: string;
  value: number;
  interval: [number, number];
  holds: boolean | null;
  verdict: Verdict;
  /** Against the seed model's untrained twin; null without the control. */
  learned: Learned | null;
}

export interface ClaimSpaceOverSeeds {
  /** Seed models in which the claim applies. */
  seeds: number;
  /** Seed models where the point value is on the claim's side. */
  holdsIn: number;
  /** Bootstrap verdicts counted over the seed models. */
  verdicts: Record<"holds" | "does not hold" | "inconclusive", number>;
  /** Seed models where the claim is learned (null without the control). */
  learnedIn: number | null;
  value: Spread;
  perSeed: SeedVerdict[];
}

export interface ClaimOverSeeds {
  id: string;
  claim: string;
  latent: ClaimSpaceOverSeeds;
  plane: ClaimSpaceOverSeeds;
}

/** Per claim and space: how many seed models it holds in, the verdicts, and the spread of the value. */
export function claimsOverSeeds(results: readonly SeedClaims[]): ClaimOverSeeds[] {
  if (results.length === 0) throw new RangeError("claimsOverSeeds: no seed models");
  const controlled = results.map((r) => (r.control ? compareWithControl(r.claims, r.control) : null));
  const first = results[0].claims.rows;
  return first.map((row) => {
    const space = (s: "latent" | "plane"): ClaimSpaceOverSeeds => {
      const perSeed: SeedVerdict[] = results.flatMap((r, i) => {
        const m = r.claims.rows.find((x) => x.id === row.id)?.[s];
        if (!m || m.verdict === "not applicable") return [];
        const learned = controlled[i]?.find((c) => c.id === row.id)?.learned[s] ?? null;
        return [{ seed: r.seed, run: r.run, value: m.value, interval: m.interval, holds: m.holds, verdict: m.verdict, learned }];
      });
      const count = (v: Verdict) => perSeed.filter((p) => p.verdict === v).length;
      return {
        seeds: perSeed.length,
        holdsIn: perSeed.filter((p) => p.holds === true).length,
        verdicts: { holds: count("holds"), "does not hold": count("does not hold"), inconclusive: count("inconclusive") },
        learnedIn: results.every((r) => r.control) ? perSeed.filter((p) => p.learned === "learned").length : null,
        value: spreadOf(perSeed.map((p) => p.value)),
        perSeed,
      };
    };
    return { id: row.id, claim: row.claim, latent: space("latent"), plane: space("plane") };
  });
}

/** The claims over seeds as table rows for one space. */
export function seedClaimTable(over: readonly ClaimOverSeeds[], space: "latent" | "plane"): Record<string, string>[] {
  return over.map((c) => {
    const s = c[space];
    const of = (k: number) => (s.seeds === 0 ? "n/a" : `${k} of ${s.seeds}`);
    return {
      claim: `(${c.id}) ${c.claim}`,
      "holds (point value)": of(s.holdsIn),
      "bootstrap: holds / not / inconclusive":
        s.seeds === 0 ? "n/a" : `${s.verdicts.holds} / ${s.verdicts["does not hold"]} / ${s.verdicts.inconclusive}`,
      learned: s.learnedIn === null ? "not measured" : of(s.learnedIn),
      "value: mean ± sd (min..max)": spreadText(s.value),
      "per seed": s.perSeed.map((p) => `${p.seed}: ${p.verdict}`).join("; "),
    };
  });
}

/** Flat results for data/metrics/: claim_<id>_<space>_seeds_holding (bootstrap "holds") and _seeds_learned. */
export function seedClaimMetrics(over: readonly ClaimOverSeeds[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of over)
    for (const s of ["latent", "plane"] as const) {
      const { seeds, verdicts, learnedIn } = c[s];
      if (seeds === 0) continue;
      out[`claim_${c.id}_${s}_seeds_holding`] = verdicts.holds;
      if (learnedIn !== null) out[`claim_${c.id}_${s}_seeds_learned`] = learnedIn;
    }
  if (over.length) out.claim_seeds = Math.max(...over.map((c) => c.latent.perSeed.length));
  return out;
}

/** One seed model's profile agreement on the given users (as notebook 05 measures the explored model's). */
export async function seedAgreement(
  model: CvaeModel,
  ds: ProcessedDataset,
  userRows: Int32Array,
): Promise<ProfileAgreement & { seed: number; run: string }> {
  const latents = await encodeUnderConditions(model, ds, userRows);
  const agreement = agreementWithHistory(ds, profileSpace(latents), latents, watchedShares(ds, userRows));
  return { seed: model.config.seed, run: model.config.run, ...agreement };
}

/** The profile agreement of every seed model on the same users, one model at a time (the explored model's reused). */
export async function agreementsOfSeedModels(
  models: readonly SeedModel[],
  explored: { model: CvaeModel; agreement: ProfileAgreement },
  ds: ProcessedDataset,
  userRows: Int32Array,
): Promise<(ProfileAgreement & { seed: number; run: string })[]> {
  const out: (ProfileAgreement & { seed: number; run: string })[] = [];
  for (const m of models)
    out.push(m.model === explored.model ? { seed: m.seed, run: m.run, ...explored.agreement } : await seedAgreement(m.model, ds, userRows));
  return out;
}

export interface AgreementOverSeeds {
  seeds: number;
  overlapAt3: Spread;
  popularityOverlapAt3: number;
  /** Seed models whose overlap@3 beats the popularity baseline. */
  beatsPopularityIn: number;
  seriousAxisSpearman: Spread;
  perSeed: (ProfileAgreement & { seed: number; run: string })[];
}

export function agreementOverSeeds(perSeed: readonly (ProfileAgreement & { seed: number; run: string })[]): AgreementOverSeeds {
  if (perSeed.length === 0) throw new RangeError("agreementOverSeeds: no seed models");
  return {
    seeds: perSeed.length,
    overlapAt3: spreadOf(perSeed.map((a) => a.overlapAt3)),
    // The baseline depends on the data and the users only, the same for every seed.
    popularityOverlapAt3: perSeed[0].popularityOverlapAt3,
    beatsPopularityIn: perSeed.filter((a) => a.overlapAt3 > a.popularityOverlapAt3).length,
    seriousAxisSpearman: spreadOf(perSeed.map((a) => a.seriousAxisSpearman)),
    perSeed: [...perSeed],
  };
}

/** The agreement over seeds as table rows: one per seed model, then the spread. */
export function seedAgreementTable(over: AgreementOverSeeds): Record<string, string>[] {
  const rows = over.perSeed.map((a) => ({
    model: `seed ${a.seed} (${a.run})`,
    "overlap@3": a.overlapAt3.toFixed(3),
    "popularity overlap@3": a.popularityOverlapAt3.toFixed(3),
    "light <-> serious Spearman": a.seriousAxisSpearman.toFixed(3),
  }));
  rows.push({
    model: `${over.seeds} seeds: mean ± sd (min..max)`,
    "overlap@3": `${spreadText(over.overlapAt3)}; beats popularity in ${over.beatsPopularityIn} of ${over.seeds}`,
    "popularity overlap@3": over.popularityOverlapAt3.toFixed(3),
    "light <-> serious Spearman": spreadText(over.seriousAxisSpearman),
  });
  return rows;
}
