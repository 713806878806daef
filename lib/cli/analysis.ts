// `cvae explore` and `cvae profile`: the latent-space analysis of notebooks 04 and 05.
import { claimsInputFor, claimTable, fitLatentPcas, measureClaims, savePcas } from "../analysis/claims";
import { encodeUnderConditions, type LatentSet, sampleUsers } from "../analysis/latent";
import { agreementWithHistory, profileCard, profileSpace, profileSubject, watchedShares } from "../analysis/profile";
import { NO_GENRES, type ProcessedDataset } from "../data/schema";
import { initBackend } from "../model/backend";
import { modelDir } from "../model/checkpoint";
import type { CvaeModel } from "../model/cvae-model";
import { type Command, type FlagValues, noPositionals, type ParsedArgs } from "./args";
import { loadModelFor, modelFlags } from "./model";

const sampleFlags = {
  ...modelFlags,
  users: { type: "integer", help: "users sampled and encoded under every condition", default: 2000, min: 1, max: 1_000_000 },
  seed: { type: "integer", help: "seed of the sample", default: 98765, min: 0, max: 0xffffffff },
} as const;

/** The checked flags of an analysis command (no positionals). */
function analysisPlan(command: string) {
  return ({ positionals, values }: ParsedArgs): FlagValues => {
    noPositionals(command, positionals);
    return values;
  };
}

async function latentsFor(
  command: string,
  flags: FlagValues,
): Promise<{ ds: ProcessedDataset; model: CvaeModel; latents: LatentSet; seconds: number }> {
  await initBackend({ log: false });
  const { ds, model } = loadModelFor(command, flags);
  const t0 = performance.now();
  const latents = encodeUnderConditions(model, ds, sampleUsers(ds, { users: Number(flags.users), seed: Number(flags.seed) }));
  return { ds, model, latents, seconds: (performance.now() - t0) / 1000 };
}

export const exploreCommand: Command<FlagValues> = {
  name: "explore",
  summary: "encode sampled users under every condition, fit the PCAs, measure the paper's claims",
  usage: "cvae explore [--dataset NAME] [--run NAME] [--users 2000] [--seed N] [--json]",
  flags: sampleFlags,
  plan: analysisPlan("explore"),
  async execute(flags) {
    const { ds, model, latents, seconds } = await latentsFor("explore", flags);
    const pcas = fitLatentPcas(latents);
    // Beside the checkpoint the model came from (a copied run folder keeps its own PCA).
    const pcaPath = savePcas(model.dir ?? modelDir(model.config.run), pcas, { users: Number(flags.users), seed: Number(flags.seed) });
    const claims = measureClaims(claimsInputFor(ds, latents, pcas));
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
            claims: claims.rows,
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
    console.log(
      `explained variance PC1..PC5: ${pcas.all.explained.map((x) => (100 * x).toFixed(1)).join(", ")} ` +
        `% (without ${NO_GENRES}: ${pcas.plane.explained.map((x) => (100 * x).toFixed(1)).join(", ")} %)`,
    );
    for (const row of claimTable(claims)) {
      const [claim, rule, latent, latentHolds, plane, planeHolds] = Object.values(row);
      console.log(
        `\n${claim}\n  rule: ${rule}\n  latent space: ${latent} -> ${latentHolds}\n  ${claims.planeName}: ${plane} -> ${planeHolds}`,
      );
    }
    return 0;
  },
};

export const profileCommand: Command<FlagValues> = {
  name: "profile",
  summary: "profiles from the latent space: agreement with what users watched, and one user's card",
  usage: "cvae profile [--user ID] [--dataset NAME] [--run NAME] [--users 2000] [--seed N] [--json]",
  flags: { ...sampleFlags, user: { type: "integer", help: "a sampled user's MovieLens id", min: 0, defaultText: "the clearest lean" } },
  plan: analysisPlan("profile"),
  async execute(flags) {
    const { ds, model, latents } = await latentsFor("profile", flags);
    const space = profileSpace(latents);
    const shares = watchedShares(ds, latents.userRows);
    const agreement = agreementWithHistory(ds, space, latents, shares);
    const u = profileSubject(space, latents, flags.user === undefined ? undefined : Number(flags.user));
    const card = profileCard(space, latents, shares[u], u);
    if (flags.json) {
      console.log(JSON.stringify({ dataset: ds.name, synthetic: ds.source.synthetic, model: model.status(), agreement, card }, null, 2));
      return 0;
    }
    console.log(
      `agreement over ${agreement.users} users: overlap@3 ${agreement.overlapAt3.toFixed(3)} (popularity baseline ` +
        `${agreement.popularityOverlapAt3.toFixed(3)}); light <-> serious Spearman ${agreement.seriousAxisSpearman.toFixed(3)}`,
    );
    console.log(
      `user ${card.userId}: profile ${card.profile.join(", ")}; more serious than ${Math.round(100 * card.seriousPercentile)} % of users`,
    );
    console.log(`  leans to: ${card.hints.map((h) => `${h.genre} (stronger than ${Math.round(100 * h.percentile)} %)`).join(", ")}`);
    console.log(
      `  watched: ${card.watched
        .slice(0, 6)
        .map((w) => `${w.genre} ${(100 * w.share).toFixed(0)} %`)
        .join(", ")}`,
    );
    return 0;
  },
};
