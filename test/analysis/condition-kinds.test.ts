// Every condition kind through the whole study, on synthetic data (with its planted truth) and on
// the ml-latest-small layout fixture (real-data layout, no truth): prepare, train, evaluate under
// both protocols with per-condition rows, recommend under a condition, encode latents, measure
// the claims (genre-only ones not applicable), check the context effect, and profile users.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";

process.env.CVAE_DATA_DIR = tempDir("kinds-");

import { claimsInputFor, measureClaims } from "../../lib/analysis/claims/claims";
import { contextRecovery } from "../../lib/analysis/context-recovery";
import { compareWithPopularity, conditionedProtocol, resultRows } from "../../lib/evaluation/evaluate";
import { encodeUnderConditions, sampleUsers } from "../../lib/analysis/latent";
import { agreementWithHistory, profileSpace, profilingHints, watchedShares } from "../../lib/analysis/profile";
import { exampleUser, foldInHistory, recommend } from "../../lib/analysis/recommend";
import { CONDITION_KINDS, conditionPlural, scopeOf } from "../../lib/data/conditions/conditions";
import { prepareDataset } from "../../lib/data/datasets";
import { loadGroundTruth } from "../../lib/data/synthetic/planted";
import type { ConditionKind, ProcessedDataset } from "../../lib/data/schema";
import { writeSynthetic } from "../../lib/data/synthetic/synth";
import { SYNTH_PRESETS } from "../../lib/data/synthetic/synth";
import { initBackend } from "../../lib/model/backend";
import { train } from "../../lib/train/loop";
import { tempDir } from "../helpers/temp";

const FIXTURE = join(__dirname, "..", "fixtures", "ml-small");
const GENRE_ONLY = ["b", "c1", "c2", "c3", "e"];

async function study(source: string, kind: ConditionKind) {
  const { dataset: ds } = await prepareDataset(source, { conditions: kind, name: `${source.split("/").pop()}-${kind}` });
  const result = await train(
    { dataset: ds.name, run: `t-${ds.name}`, epochs: 3, hidden: 48, latent: 8, batchSize: 100 },
    { dataset: ds, handleSignals: false, resume: "never" },
  );
  return { ds, model: result.model, loss: result.history.map((h) => h.loss) };
}

function checkStudy(name: string, kind: ConditionKind, run: () => Promise<Awaited<ReturnType<typeof study>>>) {
  it(`${name}, ${kind}: trains, evaluates per ${kind}, recommends, explores and profiles`, async () => {
    const { ds, model, loss } = await run();
    const labels = ds.conditions.labels;
    assert.equal(ds.conditions.kind, kind);
    assert.equal(model.dims.conditions, labels.length);
    assert.ok(loss.every(Number.isFinite), `finite loss ${loss}`);

    const results = await compareWithPopularity(ds, "test", model);
    const rows = resultRows(results);
    assert.ok(
      rows.some((r) => r.protocol === conditionedProtocol(kind) && r.rows > 0),
      JSON.stringify(rows.map((r) => r.protocol)),
    );
    const perCondition = results["C-VAE"].perGenre;
    assert.ok(perCondition.length > 0 && perCondition.every((g) => labels.includes(g.genre)));

    const history = foldInHistory(ds, "test", exampleUser(ds, "test"));
    const under = await recommend(model, ds, history, { condition: labels[labels.length - 1], n: 5 });
    assert.equal(under.items.length, 5);
    assert.equal(under.condition, labels[labels.length - 1]);
    assert.equal(under.conditionShare === null, scopeOf(kind) === "interaction", "a share for item attributes only");

    const users = sampleUsers(ds, { users: 150, seed: 3 });
    const latents = await encodeUnderConditions(model, ds, users);
    assert.equal(latents.rows, users.length * (labels.length + 1));
    assert.equal(latents.kind, kind);
    const claims = measureClaims(claimsInputFor(ds, latents));
    for (const row of claims.rows) {
      if (kind !== "genre" && GENRE_ONLY.includes(row.id)) assert.match(row.rule, /not applicable: a claim about named genres/, row.id);
      if (["a", "f"].includes(row.id)) assert.ok(Number.isFinite(row.latent.value), `${row.id} is measured for ${kind}`);
    }
    if (kind !== "genre") assert.ok(claims.rows.find((r) => r.id === "a")?.claim.includes(conditionPlural(kind).slice(0, -1)));

    const recovery = await contextRecovery(model, ds, users, loadGroundTruth(ds.source.folder));
    assert.ok(recovery.modelVsData.cells > 0);
    assert.equal(recovery.modelVsPlanted === null, !(ds.source.synthetic && scopeOf(kind) === "interaction"));

    const space = profileSpace(latents);
    const agreement = agreementWithHistory(ds, space, latents, watchedShares(ds, users));
    assert.ok(
      (await profilingHints(model, ds, space, history)).profile.every((c) => labels.includes(c)),
      "a newcomer's profile names conditions",
    );
    assert.ok(agreement.overlapAt3 >= 0 && agreement.overlapAt3 <= 1);
    assert.equal(Number.isNaN(agreement.seriousAxisSpearman), kind !== "genre", "the light <-> serious axis needs genres");
  });
}

describe("every condition kind through the study", () => {
  let synthetic = "";
  before(async () => {
    await initBackend({ log: false });
    synthetic = join(process.env.CVAE_DATA_DIR as string, "raw", "synthetic-tiny");
    await writeSynthetic(synthetic, SYNTH_PRESETS["synthetic-tiny"]);
  });
  const cache = new Map<string, Promise<Awaited<ReturnType<typeof study>>>>();
  const once = (source: () => string, kind: ConditionKind) => () => {
    const key = `${source()}:${kind}`;
    if (!cache.has(key)) cache.set(key, study(source(), kind));
    return cache.get(key) as Promise<{ ds: ProcessedDataset; model: Awaited<ReturnType<typeof study>>["model"]; loss: number[] }>;
  };
  for (const kind of CONDITION_KINDS)
    checkStudy(
      "synthetic-tiny",
      kind,
      once(() => synthetic, kind),
    );
  for (const kind of CONDITION_KINDS)
    checkStudy(
      "the ml-latest-small layout fixture",
      kind,
      once(() => FIXTURE, kind),
    );
});
