// `cvae explore` and `cvae profile`: the latent-space analysis of notebooks 04 and 05.
import { claimIntervals, type ClaimIntervals, claimIntervalTable, intervalText } from "../analysis/claims/intervals";
import { compareWithControl, type ControlledClaim, untrainedControl } from "../analysis/claims/controls";
import { genreLabelNull } from "../analysis/claims/nulls";
import { claimThresholds } from "../analysis/claims/rules";
import { claimsInputFor, fitLatentPcas, savePcas } from "../analysis/claims/claims";
import { encodeUnderConditions, type LatentSet, sampleUsers } from "../analysis/latent";
import { agreementWithHistory, profileCard, profileSpace, profileSubject, watchedShares } from "../analysis/profile";
import { deriveSeed } from "../core/rng";
import { agreementOverSeeds, agreementsOfSeedModels, claimsOfSeedModels, claimsOverSeeds, spreadText } from "../analysis/seeds";
import { NO_GENRES, type ProcessedDataset } from "../data/schema";
import { initBackend } from "../model/backend";
import { modelDir } from "../model/checkpoint";
import type { CvaeModel } from "../model/cvae-model";
import { type CheaperHint, formatDuration, QUICK_EPOCHS, terminalProgress } from "../train/progress";
import { ensureSeedModels, MAX_SEEDS, planSeedRuns, SEED_TRAININGS, type SeedModel } from "../train/seeds";
import { defineCommand, noPositionals, UsageError, type ValuesOf } from "./args";
import { loadModelFor, modelFlags } from "./model";
import { STUDY_SEED } from "../core/rng";

/**
 * The fewest sampled users each command measures anything on (--users below it is a usage
 * error), and why. explore: a bootstrap resample draws one user every time with chance
 * U^(1-U), and such a resample has no silhouette (a genre's rows need a second user) and no
 * noise estimate; with 6 users that is 1 in 7776, below the smallest tail an interval allows
 * (--level 0.999: 1 in 2000), while with 5 it is 1 in 625 (and with 1 user every interval is
 * a point). profile: a Spearman over 2 users is always +-1, and a lean "stronger than the
 * median user" needs a third.
 */
export const MIN_USERS = {
  explore: { users: 6, why: "fewer leave bootstrap resamples of one user, which have no silhouette" },
  profile: { users: 3, why: "a rank correlation over users and a lean above the median user need 3" },
} as const;

function sampleFlags<C extends keyof typeof MIN_USERS>(command: C) {
  const { users: min, why } = MIN_USERS[command];
  return {
    ...modelFlags,
    users: {
      type: "integer",
      help: `users sampled and encoded under every condition; at least ${min}: ${why}`,
      default: 2000,
      min,
      max: 1_000_000,
    },
    seed: { type: "integer", help: "seed of the sample", default: STUDY_SEED, min: 0, max: 0xffffffff },
  } as const;
}

const seedFlags = {
  seeds: {
    type: "integer",
    help: "models trained with different seeds (the run's seed and the next ones; missing ones are trained); 1 = the run only",
    default: 1,
    min: 1,
    max: MAX_SEEDS,
  },
  "seed-training": {
    type: "string",
    help: "how the other seed models train: the run's own config, or the quick or paper preset over it",
    choices: SEED_TRAININGS,
    default: "run",
  },
} as const;

/** The values of the flags every analysis command has (the model, the sample, the seed models). */
type AnalysisValues = ValuesOf<ReturnType<typeof sampleFlags> & typeof seedFlags>;

/** The hint of a seed model's training on the command line: its flags. */
const seedsCliCheaper: CheaperHint = ({ epochs, secondsPerEpoch }) =>
  (epochs > QUICK_EPOCHS
    ? `--seed-training quick (${QUICK_EPOCHS} epochs, ~${formatDuration(QUICK_EPOCHS * secondsPerEpoch)} a model), or `
    : "") + "--seeds 1 (the run only)";

/**
 * The seed models of --seeds/--seed-training for the explored model (trained where missing,
 * progress on stderr); null after an interrupt, which was reported.
 */
async function seedModelsFor(command: string, flags: AnalysisValues, ds: ProcessedDataset, model: CvaeModel): Promise<SeedModel[] | null> {
  const plans = planSeedRuns(model.config, { seeds: flags.seeds, training: flags["seed-training"] });
  const { models, interrupted } = await ensureSeedModels(ds, plans, {
    explored: model,
    callbacks: (plan) => terminalProgress(plan.config, process.stderr, { cheaper: seedsCliCheaper }),
    log: (line) => console.error(`cvae ${command}: ${line}`),
  });
  if (interrupted) {
    console.error(
      `cvae ${command}: interrupted while training ${interrupted.config.run}; run the same command again ` +
        `(finished seed models are kept, the unfinished one continues)`,
    );
    return null;
  }
  return models;
}

/** `--thresholds a=0.5,d=-0.2`: claim id = value pairs, checked against the claims (errors name the flag). */
export function parseThresholds(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(",").filter((p) => p.trim() !== "")) {
    const m = /^\s*([A-Za-z0-9]+)\s*=\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/.exec(part);
    if (!m)
      throw new UsageError(`cvae explore: --thresholds takes claim=number pairs separated by commas (e.g. a=0.5,d=-0.2), got "${part}"`);
    out[m[1]] = Number(m[2]);
  }
  try {
    claimThresholds(out);
  } catch (err) {
    throw new UsageError(`cvae explore: --thresholds: ${err instanceof Error ? err.message : String(err)}`);
  }
  return out;
}

/**
 * Each claim as explore prints it: the rule, then each space's value, interval and verdict
 * (and the untrained control's); a claim that cannot be measured on these data (not
 * applicable, or not measured: a synthetic set's missing truth) is one line saying why.
 */
export function claimTexts(claims: ClaimIntervals, controlled: ControlledClaim[] | null = null): string[] {
  const pct = `${Math.round(claims.options.level * 100)} %`;
  return claimIntervalTable(claims).map((row, i) => {
    const r = claims.rows[i];
    const c = controlled?.[i];
    const untrained = (space: "latent" | "plane") => (c ? `; untrained: ${c.untrained[space].verdict} -> ${c.learned[space]}` : "");
    if (r.latent.verdict === "not applicable" && r.plane.verdict === "not applicable" && /^not (applicable|measured)/.test(row.rule))
      return `${row.claim}\n  ${row.rule}`;
    return (
      `${row.claim}\n  rule: ${row.rule}` +
      `\n  latent space: ${r.latent.text}, ${pct} ${intervalText(r.latent)} -> ${r.latent.verdict}${untrained("latent")}` +
      `\n  ${claims.planeName}: ${r.plane.text}, ${pct} ${intervalText(r.plane)} -> ${r.plane.verdict}${untrained("plane")}`
    );
  });
}

async function latentsFor(
  command: keyof typeof MIN_USERS,
  flags: AnalysisValues,
): Promise<{ ds: ProcessedDataset; model: CvaeModel; latents: LatentSet; seconds: number }> {
  // The data set and the run first: a wrong name fails at once, before the backend loads (tfjs: ~1 s).
  const { ds, model } = loadModelFor(command, flags);
  // --users is checked against the minimum as it is read; a set with fewer training users than that samples them all.
  const { users: min, why } = MIN_USERS[command];
  if (ds.train.matrix.rows < min)
    throw new Error(`"${ds.name}" has ${ds.train.matrix.rows} training users; ${command} needs at least ${min} (${why})`);
  await initBackend({ log: false });
  const t0 = performance.now();
  const latents = await encodeUnderConditions(model, ds, sampleUsers(ds, { users: flags.users, seed: flags.seed }));
  return { ds, model, latents, seconds: (performance.now() - t0) / 1000 };
}

export const exploreCommand = defineCommand({
  name: "explore",
  usage:
    "cvae explore [--dataset NAME] [--run NAME] [--users 2000] [--seed N] [--resamples 200] [--level 0.95] " +
    "[--thresholds a=0.5,...] [--permutations 200] [--control untrained|none] [--seeds 1] [--seed-training quick|paper|run] [--json]",
  flags: {
    ...sampleFlags("explore"),
    ...seedFlags,
    resamples: { type: "integer", help: "bootstrap resamples of the users for each claim's interval", default: 200, min: 20, max: 100_000 },
    level: { type: "number", help: "coverage of the intervals, in (0, 1)", default: 0.95, min: 0.5, max: 0.999 },
    thresholds: {
      type: "string",
      help: "claims' thresholds that differ from the defaults, as claim=number pairs: a=0.5,d=-0.2 (see notebook 04's table)",
    },
    permutations: {
      type: "integer",
      help: "shufflings of the movies' genre labels for the permutation null of claims (d) and (g1)",
      default: 200,
      min: 39,
      max: 100_000,
    },
    control: {
      type: "string",
      help: "measure the claims on a control too: the untrained model (same architecture, its initial weights), or none",
      choices: ["untrained", "none"],
      default: "untrained",
    },
  },
  plan({ positionals, values }) {
    noPositionals("explore", positionals);
    if (values.thresholds !== undefined) parseThresholds(values.thresholds); // a bad one fails before any work
    return values;
  },
  async execute(flags) {
    const thresholds = parseThresholds(flags.thresholds ?? "");
    const { ds, model, latents, seconds } = await latentsFor("explore", flags);
    const pcas = fitLatentPcas(latents);
    // Beside the checkpoint the model came from (a copied run folder keeps its own PCA).
    const pcaPath = savePcas(model.dir ?? modelDir(model.config.run), pcas, { users: flags.users, seed: flags.seed });
    // The bootstrap draws from its own stream, derived from the one seed of the command.
    const intervalOptions = {
      resamples: flags.resamples,
      level: flags.level,
      seed: deriveSeed(flags.seed, "bootstrap"),
    };
    const t1 = performance.now();
    const claims = claimIntervals({ ...claimsInputFor(ds, latents, pcas), thresholds }, intervalOptions);
    const claimSeconds = (performance.now() - t1) / 1000;
    const control =
      flags.control === "untrained" ? await untrainedControl(model, ds, latents.userRows, { ...intervalOptions, thresholds }) : null;
    const controlled = control ? compareWithControl(claims, control) : null;
    const nulls = genreLabelNull(
      ds,
      { ...claimsInputFor(ds, latents, pcas), thresholds },
      {
        permutations: flags.permutations,
        seed: deriveSeed(flags.seed, "permutation"),
      },
    );
    const seedModels = flags.seeds > 1 ? await seedModelsFor("explore", flags, ds, model) : [];
    if (seedModels === null) return 130;
    const perSeed = await claimsOfSeedModels(seedModels, { model, claims, control }, ds, latents.userRows, {
      ...intervalOptions,
      thresholds,
      control: control !== null,
    });
    const overSeeds = perSeed.length ? claimsOverSeeds(perSeed) : null;
    const seedsJson = overSeeds
      ? {
          training: flags["seed-training"],
          models: seedModels.map((m) => ({ seed: m.seed, run: m.run, trainedNow: m.trainedNow, status: m.model.status() })),
          claims: overSeeds,
        }
      : null;
    if (flags.json) {
      console.log(
        JSON.stringify(
          {
            dataset: ds.name,
            synthetic: ds.source.synthetic,
            run: model.config.run,
            model: model.status(),
            latents: latents.rows,
            encodeSeconds: seconds,
            explained: { all: pcas.all.explained, withoutNeutral: pcas.plane.explained },
            plane: claims.planeName,
            intervals: { ...claims.options, users: claims.users, seconds: claimSeconds },
            control: control ? "untrained" : "none",
            permutationNull: { permutations: flags.permutations, claims: nulls },
            claims: claims.rows.map((r, i) => ({
              ...r,
              ...(controlled ? { untrained: controlled[i].untrained, learned: controlled[i].learned } : {}),
              ...(overSeeds ? { seeds: { latent: overSeeds[i].latent, plane: overSeeds[i].plane } } : {}),
            })),
            seeds: seedsJson,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    console.log(
      `${ds.source.synthetic ? "SYNTHETIC data" : "data"} "${ds.name}", model ${model.config.run}: ` +
        `${latents.rows} latents in ${seconds.toFixed(2)} s; PCA saved to ${pcaPath}`,
    );
    const withoutNeutral = latents.conditions.includes(NO_GENRES)
      ? ` (without ${NO_GENRES}: ${pcas.plane.explained.map((x) => (100 * x).toFixed(1)).join(", ")} %)`
      : "";
    console.log(`explained variance PC1..PC5: ${pcas.all.explained.map((x) => (100 * x).toFixed(1)).join(", ")} %${withoutNeutral}`);
    const pct = `${Math.round(claims.options.level * 100)} %`;
    console.log(
      `claims with ${pct} bootstrap intervals ` +
        `(${claims.options.resamples} resamples of ${claims.users} users, ${claimSeconds.toFixed(1)} s)`,
    );
    for (const text of claimTexts(claims, controlled)) console.log(`\n${text}`);
    if (ds.conditions.kind === "genre")
      console.log(`\npermutation null, ${flags.permutations} shufflings of the movies' genre labels (latent space):`);
    else console.log(`\npermutation null: not run (it shuffles genre labels; this model is conditioned on ${ds.conditions.kind})`);
    for (const n of nulls) {
      const band = `[${n.nullInterval[0].toFixed(3)}, ${n.nullInterval[1].toFixed(3)}]`;
      console.log(`  (${n.id}) observed ${n.observed.toFixed(3)}, shuffled ${band}, p = ${n.pValue.toPrecision(2)} -> ${n.verdict}`);
    }
    if (overSeeds) {
      const runs = seedModels.map((m) => `${m.run}${m.trainedNow ? " (trained now)" : ""}`).join(", ");
      console.log(`
over ${seedModels.length} seed models (${flags["seed-training"]} training): ${runs}`);
      for (const c of overSeeds) {
        const line = (space: "latent" | "plane") => {
          const s = c[space];
          if (s.seeds === 0) return "n/a";
          const learned = s.learnedIn === null ? "" : `, learned in ${s.learnedIn}`;
          const v = s.verdicts;
          return (
            `holds in ${s.holdsIn} of ${s.seeds} (bootstrap: ${v.holds} holds, ${v["does not hold"]} not, ` +
            `${v.inconclusive} inconclusive${learned}); value ${spreadText(s.value)}`
          );
        };
        console.log(`  (${c.id}) latent: ${line("latent")}
      plane: ${line("plane")}`);
      }
    }
    return 0;
  },
});

export const profileCommand = defineCommand({
  name: "profile",
  usage:
    "cvae profile [--user ID] [--dataset NAME] [--run NAME] [--users 2000] [--seed N] [--seeds 1] " +
    "[--seed-training quick|paper|run] [--json]",
  flags: {
    ...sampleFlags("profile"),
    ...seedFlags,
    user: { type: "integer", help: "a sampled user's MovieLens id", min: 0, defaultText: "the clearest lean" },
  },
  plan({ positionals, values }) {
    noPositionals("profile", positionals);
    return values;
  },
  async execute(flags) {
    const { ds, model, latents } = await latentsFor("profile", flags);
    const space = profileSpace(latents);
    const shares = watchedShares(ds, latents.userRows);
    const agreement = agreementWithHistory(ds, space, latents, shares);
    const u = profileSubject(space, latents, flags.user);
    const card = profileCard(space, latents, shares[u], u);
    const seedModels = flags.seeds > 1 ? await seedModelsFor("profile", flags, ds, model) : [];
    if (seedModels === null) return 130;
    const overSeeds = seedModels.length
      ? agreementOverSeeds(await agreementsOfSeedModels(seedModels, { model, agreement }, ds, latents.userRows))
      : null;
    if (flags.json) {
      const seeds = overSeeds ? { training: flags["seed-training"], ...overSeeds } : null;
      console.log(
        JSON.stringify({ dataset: ds.name, synthetic: ds.source.synthetic, model: model.status(), agreement, seeds, card }, null, 2),
      );
      return 0;
    }
    // The light <-> serious axis is built from genre centroids: other kinds have none.
    const genres = ds.conditions.kind === "genre";
    const axis = genres ? `; light <-> serious Spearman ${agreement.seriousAxisSpearman.toFixed(3)}` : "";
    console.log(
      `agreement over ${agreement.users} users (${ds.conditions.kind} conditions): overlap@3 ${agreement.overlapAt3.toFixed(3)} ` +
        `(popularity baseline ${agreement.popularityOverlapAt3.toFixed(3)})${axis}`,
    );
    if (overSeeds)
      console.log(
        `over ${overSeeds.seeds} seed models (${flags["seed-training"]} training): overlap@3 ${spreadText(overSeeds.overlapAt3)}, ` +
          `beats popularity in ${overSeeds.beatsPopularityIn} of ${overSeeds.seeds}` +
          (genres ? `; light <-> serious Spearman ${spreadText(overSeeds.seriousAxisSpearman)}` : ""),
      );
    const serious = genres ? `; more serious than ${Math.round(100 * card.seriousPercentile)} % of users` : "";
    console.log(`user ${card.userId}: profile ${card.profile.join(", ")}${serious}`);
    console.log(`  leans to: ${card.hints.map((h) => `${h.genre} (stronger than ${Math.round(100 * h.percentile)} %)`).join(", ")}`);
    console.log(
      `  watched: ${card.watched
        .slice(0, 6)
        .map((w) => `${w.genre} ${(100 * w.share).toFixed(0)} %`)
        .join(", ")}`,
    );
    return 0;
  },
});
