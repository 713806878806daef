import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  headlineText,
  modelWarningText,
  NOTEBOOK_NAMES,
  type NotebookName,
  type NotebookResults,
  readRecordedResults,
  recordResults,
  RESULT_FIELDS,
  type RecordedResults,
} from "../../lib/notebook/results";
import { tempDir } from "../helpers/temp";

const MODEL_OK = { model_beats_popularity: true, model_check: "C-VAE valid nDCG@100 0.40 >= popularity 0.33" };
const NDCG = {
  test_ndcg100_unconditioned: 0.36318,
  popularity_ndcg100_unconditioned: 0.15207,
  test_ndcg100_conditioned: 0.45713,
  popularity_ndcg100_conditioned: 0.34125,
};

/** A full set of results for each notebook, as its last cell records them. */
const EXAMPLES: NotebookResults = {
  "01-preprocessing": {
    dataset: "ml-1m",
    synthetic: false,
    users: 6040,
    items: 3400,
    kept_ratings: 574_548,
    train_users: 4840,
    heldout_per_split: 600,
    valid_users: 600,
    test_users: 600,
    conditions: 18,
  },
  "02-genre-statistics": {
    dataset: "synthetic",
    synthetic: true,
    top_genres: "Drama, Comedy",
    rarest_genres: "Western, Film-Noir, IMAX",
    imax_movies: 12,
    imax_top3: "Action, Sci-Fi, Adventure",
    mean_cu: 6.2,
    conditioned_rows: 62_000,
  },
  "03-training": {
    dataset: "synthetic",
    synthetic: true,
    run: "synthetic-quick",
    preset: "quick",
    ...MODEL_OK,
    epochs: 5,
    best_epoch: 5,
    stopped_early: false,
    ...NDCG,
    genre_share_mean: 0.8,
    train_seconds: 12.5,
    mult_vae_equal_updates_test_ndcg100: null,
    mult_vae_equal_updates_epochs: null,
  },
  "04-latent-pca": {
    dataset: "synthetic",
    synthetic: true,
    ...MODEL_OK,
    users: 300,
    latents: 5700,
    pc1_to_pc5_variance: 0.71,
    claim_a_latent: true,
    claim_a_plane: false,
    claim_b_latent: null,
    claim_b_plane: null,
    claim_c_latent: false,
    claim_c_plane: true,
    claim_d_latent: true,
    claim_d_plane: true,
    claim_a_latent_bootstrap: "holds",
    claim_a_latent_null: false,
    claim_a_latent_learned: true,
    claim_a_latent_seeds_holding: 3,
    claim_seeds: 3,
  },
  "05-user-profiling": {
    dataset: "synthetic",
    synthetic: true,
    ...MODEL_OK,
    users: 300,
    overlap_at3_profile: 0.65,
    overlap_at3_popularity: 0.48,
    serious_axis_spearman: 0.81,
    seeds: 3,
    overlap_at3_seeds_mean: 0.64,
    overlap_at3_seeds_sd: 0.02,
    overlap_at3_seeds_beating_popularity: 3,
    serious_axis_spearman_seeds_mean: 0.8,
    example_user: 5619,
    example_profile: "Drama, Comedy, Romance",
  },
  "06-context-conditions": {
    dataset: "synthetic-daypart",
    synthetic: true,
    ...MODEL_OK,
    conditions: "daypart",
    time_zone: "UTC",
    labels: "night,morning,afternoon,evening",
    epochs: 6,
    train_seconds: 20,
    test_ndcg100_unconditioned: 0.357,
    popularity_ndcg100_unconditioned: 0.15,
    test_ndcg100_conditioned: 0.264,
    popularity_ndcg100_conditioned: 0.146,
    lift_spearman_model_vs_planted: 0.914,
    lift_null_p: 0.005,
    lift_spearman_untrained_vs_planted: 0.1,
    lift_spearman_data_vs_planted: 0.97,
    lift_spearman_model_vs_data: 0.9,
    geometry_spearman_vs_planted: 0.6,
    claim_a_latent: true,
    claim_a_plane: true,
    claim_b_latent: null,
    claim_b_plane: null,
  },
};

/** The record of `notebook` as read back, with `change` over the example results. */
function recordOf<N extends NotebookName>(notebook: N, change: Record<string, unknown> = {}): RecordedResults {
  return readRecordedResults({ notebook, recorded: "2025-01-01T00:00:00.000Z", results: { ...EXAMPLES[notebook], ...change } });
}

/** Runs `f` with CVAE_DATA_DIR set to a new folder, and returns the folder. */
function inDataDir(f: () => void): string {
  const dir = tempDir("results-");
  const saved = process.env.CVAE_DATA_DIR;
  process.env.CVAE_DATA_DIR = dir;
  try {
    f();
  } finally {
    if (saved === undefined) delete process.env.CVAE_DATA_DIR;
    else process.env.CVAE_DATA_DIR = saved;
  }
  return dir;
}

// Compiled, never run: what the types let a results cell record (tsc checks the test files).
function _typeChecks(): void {
  // @ts-expect-error a notebook with no results defined
  recordResults("07-new", { dataset: "x" });
  // @ts-expect-error a field of another notebook
  recordResults("01-preprocessing", { ...EXAMPLES["01-preprocessing"], top_genres: "Drama" });
  const { items: _items, ...withoutItems } = EXAMPLES["01-preprocessing"];
  // @ts-expect-error a missing field
  recordResults("01-preprocessing", withoutItems);
  // @ts-expect-error a field of another type
  recordResults("05-user-profiling", { ...EXAMPLES["05-user-profiling"], example_user: "5619" });
  // Claim fields are open: as many as the claims measured, from the claim functions' Record<string, ...>.
  const verdicts: Record<string, boolean | null> = { claim_e_latent: null };
  recordResults("04-latent-pca", { ...EXAMPLES["04-latent-pca"], ...verdicts });
}

describe("recordResults(notebook, results)", () => {
  it("writes data/metrics/<notebook>.json under CVAE_DATA_DIR with the results' keys and values as given", (t) => {
    t.mock.method(console, "log", () => undefined);
    const dir = inDataDir(() => recordResults("05-user-profiling", EXAMPLES["05-user-profiling"]));
    const record = JSON.parse(readFileSync(join(dir, "metrics", "05-user-profiling.json"), "utf8"));
    assert.equal(record.notebook, "05-user-profiling");
    assert.ok(Math.abs(Date.parse(record.recorded) - Date.now()) < 60_000, "recorded now");
    assert.deepEqual(record.results, EXAMPLES["05-user-profiling"]);
    assert.deepEqual(Object.keys(record.results), Object.keys(EXAMPLES["05-user-profiling"]), "in the order given");
  });

  it("writes what readRecordedResults reads back, a non-finite number as null", (t) => {
    t.mock.method(console, "log", () => undefined);
    const results = { ...EXAMPLES["02-genre-statistics"], mean_cu: Number.NaN };
    const dir = inDataDir(() => recordResults("02-genre-statistics", results));
    const back = readRecordedResults(JSON.parse(readFileSync(join(dir, "metrics", "02-genre-statistics.json"), "utf8")));
    assert.equal(back.notebook, "02-genre-statistics");
    assert.deepEqual(back.results, { ...results, mean_cu: null });
  });
});

describe("RESULT_FIELDS and NOTEBOOK_NAMES", () => {
  it("define the results of the six notebooks, in run order", () => {
    assert.deepEqual(NOTEBOOK_NAMES, [
      "01-preprocessing",
      "02-genre-statistics",
      "03-training",
      "04-latent-pca",
      "05-user-profiling",
      "06-context-conditions",
    ]);
  });

  it("list the model check in every notebook that uses a model, and the data set in all", () => {
    for (const name of NOTEBOOK_NAMES) {
      assert.equal(RESULT_FIELDS[name].dataset, "string", name);
      assert.equal("model_beats_popularity" in RESULT_FIELDS[name], !["01-preprocessing", "02-genre-statistics"].includes(name), name);
    }
  });
});

describe("readRecordedResults(json)", () => {
  it("reads every notebook's full results as its typed record, claim fields included", () => {
    for (const name of NOTEBOOK_NAMES) {
      const record = recordOf(name);
      assert.equal(record.notebook, name);
      assert.deepEqual(record.results, EXAMPLES[name]);
    }
  });

  it("keeps fields besides the listed ones, and reads null for any number", () => {
    assert.equal((recordOf("03-training", { note: "extra" }).results as Record<string, unknown>).note, "extra");
    assert.equal(recordOf("05-user-profiling", { overlap_at3_profile: null }).results.dataset, "synthetic");
  });

  it("names what is wrong: not an object, an unknown notebook, no time stamp, a missing field, a field of another kind", () => {
    assert.throws(() => readRecordedResults([]), /holds an object/);
    assert.throws(() => readRecordedResults({ notebook: "99-test", recorded: "x", results: {} }), /notebook "99-test"/);
    assert.throws(() => readRecordedResults({ notebook: "01-preprocessing", results: EXAMPLES["01-preprocessing"] }), /"recorded"/);
    assert.throws(() => readRecordedResults({ notebook: "01-preprocessing", recorded: "x", results: 3 }), /"results" is not an object/);
    const { items: _items, ...withoutItems } = EXAMPLES["01-preprocessing"];
    assert.throws(
      () => readRecordedResults({ notebook: "01-preprocessing", recorded: "x", results: withoutItems }),
      /01-preprocessing: the result items is missing/,
    );
    assert.throws(() => recordOf("03-training", { stopped_early: "no" }), /stopped_early = "no" is not a boolean/);
    assert.throws(() => recordOf("03-training", { run: null }), /run = null is not a string/);
  });

  it("takes a claim verdict only as true, false or null, and other claim fields only as plain values", () => {
    assert.throws(() => recordOf("04-latent-pca", { claim_z_latent: "holds" }), /claim_z_latent = "holds" is not a verdict/);
    assert.throws(() => recordOf("06-context-conditions", { claim_z_plane: 1 }), /claim_z_plane = 1 is not a verdict/);
    assert.throws(
      () => recordOf("04-latent-pca", { claim_z_latent_bootstrap: { holds: true } }),
      /claim_z_latent_bootstrap .* is not a value/,
    );
  });
});

describe("headlineText(record), the report index's recorded results", () => {
  it("says the data set and its size (01) and the leading genres (02), marking synthetic data", () => {
    assert.equal(headlineText(recordOf("01-preprocessing")), "ml-1m; 6040 users, 3400 items");
    assert.equal(headlineText(recordOf("02-genre-statistics")), "synthetic (SYNTHETIC); top genres Drama, Comedy; 12 IMAX movies");
  });

  it("says test nDCG@100 against popularity on all users and on the genre rows (03)", () => {
    assert.equal(
      headlineText(recordOf("03-training")),
      "synthetic (SYNTHETIC); test nDCG@100 0.363 vs popularity 0.152; genre rows 0.457 vs 0.341",
    );
    assert.equal(
      headlineText(recordOf("03-training", { test_ndcg100_conditioned: null, popularity_ndcg100_conditioned: null })),
      "synthetic (SYNTHETIC); test nDCG@100 0.363 vs popularity 0.152; genre rows n/a vs n/a",
      "no conditioned rows",
    );
  });

  it("counts the claims held in the latent space, not the plane's or the other claim fields (04)", () => {
    assert.equal(
      headlineText(recordOf("04-latent-pca")),
      "synthetic (SYNTHETIC); claims (latent space): 2 hold, 1 do not, 1 not applicable",
    );
  });

  it("says the profiles' overlap@3 against popularity (05)", () => {
    assert.equal(headlineText(recordOf("05-user-profiling")), "synthetic (SYNTHETIC); profile overlap@3 0.650 vs popularity 0.480");
  });

  it("names the condition kind of the conditioned rows and the context effect's recovery, and nothing of it on real data (06)", () => {
    assert.equal(
      headlineText(recordOf("06-context-conditions")),
      "synthetic-daypart (SYNTHETIC); test nDCG@100 0.357 vs popularity 0.150; daypart rows 0.264 vs 0.146; " +
        "context lift vs planted: Spearman 0.914; claims (latent space): 1 hold, 0 do not, 1 not applicable",
    );
    assert.equal(
      headlineText(recordOf("06-context-conditions", { dataset: "ml-1m-daypart", synthetic: false, lift_spearman_model_vs_planted: null })),
      "ml-1m-daypart; test nDCG@100 0.357 vs popularity 0.150; daypart rows 0.264 vs 0.146; " +
        "claims (latent space): 1 hold, 0 do not, 1 not applicable",
    );
  });
});

describe("modelWarningText(record)", () => {
  it("warns with the notebook's model_check line when its model does not beat popularity", () => {
    const check = "C-VAE valid nDCG@100 0.21 < popularity 0.33 (conditioned rows)";
    const weak = { model_beats_popularity: false, model_check: ` ${check} ` };
    for (const name of ["03-training", "04-latent-pca", "05-user-profiling", "06-context-conditions"] as const)
      assert.equal(modelWarningText(recordOf(name, weak)), `Model does not beat popularity on validation: ${check}`, name);
    assert.equal(
      modelWarningText(recordOf("03-training", { model_beats_popularity: false, model_check: " " })),
      "Model does not beat popularity on validation: (no model_check recorded)",
    );
  });

  it("says nothing when the model beats popularity, or for the notebooks with no model (01, 02)", () => {
    for (const name of NOTEBOOK_NAMES) assert.equal(modelWarningText(recordOf(name)), undefined, name);
  });
});
