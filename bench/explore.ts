// `npm run bench -- explore [users] [repeats]`: encoding 2,000 users under every condition
// and none (2,000 x 21 latent means at the paper's sizes, default data), the two PCA fits
// and the claims. Goal: the extraction in at most 5 s. The weights are freshly initialised:
// the time does not depend on training.
import { describeBackend, initBackend } from "../lib/model/backend";
import { vocabularyOf } from "../lib/model/checkpoint";
import { claimIntervals } from "../lib/analysis/claims/intervals";
import { claimsInputFor, fitLatentPcas, measureClaims } from "../lib/analysis/claims/claims";
import { initParams, paramLayout } from "../lib/model/parameters";
import { ensureSynthetic, prepareDataset } from "../lib/data/datasets";
import { encodeUnderConditions, sampleUsers } from "../lib/analysis/latent";
import { CvaeModel } from "../lib/model/cvae-model";
import { Rng, STUDY_SEED } from "../lib/core/rng";
import { makeTrainConfig } from "../lib/train/config";
import { fmtRange, median, timeRuns } from "./stats";

export async function benchExplore(args: string[]): Promise<void> {
  const users = Number(args[0] ?? 2000);
  const repeats = Number(args[1] ?? 5);
  const info = await initBackend({ log: false });
  console.log(describeBackend(info));
  await ensureSynthetic("synthetic");
  const { dataset: ds } = await prepareDataset("synthetic");
  const dims = { items: ds.summary.items, conditions: ds.genres.length, hidden: 600, latentDim: 200 };
  const model = new CvaeModel(makeTrainConfig({ dataset: ds.name }), dims, initParams(paramLayout(dims), new Rng(1)), vocabularyOf(ds));
  const sample = sampleUsers(ds, { users, seed: STUDY_SEED });
  let latents = await encodeUnderConditions(model, ds, sample);
  const encode = await timeRuns(async () => {
    latents = await encodeUnderConditions(model, ds, sample);
  }, repeats);
  const shape = `${latents.rows} x ${dims.latentDim}, m = ${dims.items}`;
  console.log(`encode ${users} users x ${dims.conditions + 1} conditions (${shape}): ${fmtRange(encode)}`);
  console.log(`  goal <= 5 s: ${median(encode) <= 5000 ? "met" : "NOT met"}`);
  let pcas = fitLatentPcas(latents);
  const pca = await timeRuns(
    () => {
      pcas = fitLatentPcas(latents);
    },
    Math.max(1, Math.floor(repeats / 2)),
    0,
  );
  console.log(`two PCA fits (all rows; without the neutral genre): ${fmtRange(pca)}`);
  const claims = await timeRuns(() => measureClaims(claimsInputFor(ds, latents, pcas)), Math.max(1, Math.floor(repeats / 2)), 0);
  console.log(`claims: ${fmtRange(claims)}`);
  const input = claimsInputFor(ds, latents, pcas);
  const bootstrap = await timeRuns(() => claimIntervals(input, { resamples: 200 }), 1, 0);
  console.log(`claims with 95 % bootstrap intervals, 200 resamples of ${users} users: ${fmtRange(bootstrap)}`);
  console.log(`  goal <= 30 s: ${median(bootstrap) <= 30_000 ? "met" : "NOT met"}`);
}
