// Full notebook tier (`npm run test:full`, not `npm test`): the six notebooks, unchanged and with
// no per-notebook parameters, on a folder of each real MovieLens layout (ml-latest-small,
// ML-20M/25M, ML-1M, ML-100K), as a user runs them on a download: `npm run reproduce -- --param
// dataset=<folder>`. `npm test` prepares each layout (test/data/movielens/layouts.test.ts) and runs
// notebooks 01 and 02 on ML-1M in the kernel (test/notebooks/reports.nbtest.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { projectRoot } from "../../lib/core/paths";
import { LAYOUTS, writeLayout } from "../helpers/movielens-formats";
import { tempDir } from "../helpers/temp";

const ROOT = projectRoot();

describe("npm run reproduce -- --param dataset=<folder> on each real MovieLens layout", () => {
  for (const layout of LAYOUTS) {
    it(`passes all six notebooks on a ${layout} folder and records real-data results`, { timeout: 15 * 60_000 }, async () => {
      const root = tempDir(`cvae-${layout}-`);
      const folder = await writeLayout(join(root, layout), layout);
      const data = join(root, "data");
      const r = spawnSync(
        process.execPath,
        [join(ROOT, "bin", "cvae.js"), "reproduce", "--out", join(root, "reports"), "--param", `dataset=${folder}`],
        {
          cwd: ROOT,
          encoding: "utf8",
          env: { ...process.env, CVAE_DATA_DIR: data },
          timeout: 14 * 60_000,
        },
      );
      assert.equal(r.status, 0, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
      assert.match(r.stdout, /reproduced: 6\/6 notebooks/);
      const results = (name: string) =>
        (JSON.parse(readFileSync(join(data, "metrics", `${name}.json`), "utf8")) as { results: Record<string, unknown> }).results;
      for (const name of ["01-preprocessing", "02-genre-statistics", "03-training", "04-latent-pca", "05-user-profiling"]) {
        assert.equal(results(name).dataset, layout, `${name} used the data set notebook 01 made of the folder`);
        assert.equal(results(name).synthetic, false);
      }
      const training = results("03-training");
      assert.ok(Number(training.test_ndcg100_unconditioned) > Number(training.popularity_ndcg100_unconditioned), JSON.stringify(training));
      const pca = results("04-latent-pca");
      assert.ok(Number(pca.users) < 2000, "the 2,000 asked for are an upper bound on this small set");
      const prep = results("01-preprocessing");
      assert.equal(Number(pca.latents), Number(pca.users) * (Number(prep.conditions) + 1));
      for (const id of ["a", "b", "c1", "c2", "c3", "d", "e", "f", "g1"]) {
        for (const space of ["latent", "plane"])
          assert.ok([true, false, null].includes(pca[`claim_${id}_${space}`] as boolean | null), `${id} ${space}`);
      }
      // 06 conditions the same folder on the daypart of each rating: real data, so no planted truth.
      const context = results("06-context-conditions");
      assert.deepEqual([context.dataset, context.synthetic, context.conditions], [`${layout}-daypart`, false, "daypart"]);
      assert.equal(context.lift_spearman_model_vs_planted, null, "no planted truth on real data");
      assert.equal(typeof context.lift_spearman_model_vs_data, "number");
      if (layout === "ml-1m") {
        assert.equal(results("02-genre-statistics").imax_movies, 0, "ML-1M has no IMAX label");
        assert.equal(pca.claim_b_latent, null, 'ML-1M has no "(no genres listed)": claim b is not applicable');
      }
    });
  }
});
