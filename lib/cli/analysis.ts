// `cvae explore` and `cvae profile`: the latent-space analysis of notebooks 04 and 05.
import { initBackend } from "../model/backend";
import { claimsInputFor, claimTable, fitLatentPcas, measureClaims, savePcas } from "../analysis/claims";
import { modelDir } from "../model/checkpoint";
import { encodeUnderConditions, type LatentSet, sampleUsers } from "../analysis/latent";
import { CvaeModel } from "../model/cvae-model";
import { NO_GENRES, type ProcessedDataset } from "../data/schema";
import { agreementWithHistory, profileCard, profileSpace, profileSubject, watchedShares } from "../analysis/profile";
import { loadProcessed } from "../data/store";
import type { Command, FlagValues } from "./args";
import { modelFlags, runOf } from "./model";

const sampleFlags = {
  ...modelFlags,
  users: { type: "number", help: "users sampled and encoded under every condition", default: 2000 },
  seed: { type: "number", help: "seed of the sample", default: 98765 },
} as const;

async function latentsFor(flags: FlagValues): Promise<{ ds: ProcessedDataset; model: CvaeModel; latents: LatentSet; seconds: number }> {
  await initBackend({ log: false });
  const ds = loadProcessed(String(flags.dataset));
  const model = CvaeModel.load(runOf(flags), ds);
  const t0 = performance.now();
  const latents = encodeUnderConditions(model, ds, sampleUsers(ds, { users: Number(flags.users), seed: Number(flags.seed) }));
  return { ds, model, latents, seconds: (performance.now() - t0) / 1000 };
}

export const exploreCommand: Command = {
  name: "explore",
  summary: "encode sampled users under every condition, fit the PCAs, measure the paper's claims",
  usage: "cvae explore [--dataset NAME] [--run NAME] [--users 2000] [--seed N] [--json]",
  flags: sampleFlags,
  async run(_positionals, flags) {
    const { ds, model, latents, seconds } = await latentsFor(flags);
    const pcas = fitLatentPcas(latents);
    const pcaPath = savePcas(modelDir(model.config.run), pcas, { users: Number(flags.users), seed: Number(flags.seed) });
    const claims = measureClaims(claimsInputFor(ds, latents, pcas));
    if (flags.json) {
      console.log(
        JSON.stringify(
          {
            dataset: ds.name,
            synthetic: ds.source.synthetic,
            run: model.config.run,
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

export const profileCommand: Command = {
  name: "profile",
  summary: "profiles from the latent space: agreement with what users watched, and one user's card",
  usage: "cvae profile [--user ID] [--dataset NAME] [--run NAME] [--users 2000] [--seed N] [--json]",
  flags: { ...sampleFlags, user: { type: "number", help: "a sampled user's MovieLens id (default: the clearest lean)" } },
  async run(_positionals, flags) {
    const { ds, latents } = await latentsFor(flags);
    const space = profileSpace(latents);
    const shares = watchedShares(ds, latents.userRows);
    const agreement = agreementWithHistory(ds, space, latents, shares);
    const u = profileSubject(space, latents, flags.user === undefined ? undefined : Number(flags.user));
    const card = profileCard(space, latents, shares[u], u);
    if (flags.json) {
      console.log(JSON.stringify({ dataset: ds.name, synthetic: ds.source.synthetic, agreement, card }, null, 2));
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
