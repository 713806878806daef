// Each notebook's recorded results as a typed value. The last cell of every notebook records its
// headline numbers to data/metrics/<notebook>.json (recordResults); the report index reads them
// back (readRecordedResults) and says them in one line (headlineText, modelWarningText). The
// fields of each notebook are listed once, in RESULT_FIELDS: the types and the check on reading
// both come from there, and the keys are the JSON's keys, which tests and users read.
import { join } from "node:path";
import { writeFileAtomic } from "../core/fs";
import { dataDir } from "../core/paths";
import { showTable } from "./display";

/** What a recorded field holds; "number?" may also be null (no value, e.g. no planted truth in real data). */
type Kind = "string" | "number" | "number?" | "boolean";
type TypeOf<K extends Kind> = K extends "string" ? string : K extends "number" ? number : K extends "number?" ? number | null : boolean;

const DATASET = { dataset: "string", synthetic: "boolean" } as const;
/** The model against popularity on validation (popularityCheckResults); the index warns when it does not beat it. */
const MODEL_CHECK = { model_beats_popularity: "boolean", model_check: "string" } as const;
/** Test nDCG@100 of the model and of popularity, on all test users and on the conditioned rows (null when there are none). */
const TEST_NDCG = {
  test_ndcg100_unconditioned: "number",
  test_ndcg100_conditioned: "number?",
  popularity_ndcg100_unconditioned: "number",
  popularity_ndcg100_conditioned: "number?",
} as const;

/** The fields each notebook records, by notebook; notebooks 04 and 06 record claim fields besides (ClaimFields). */
export const RESULT_FIELDS = {
  "01-preprocessing": {
    ...DATASET,
    users: "number",
    items: "number",
    kept_ratings: "number",
    train_users: "number",
    heldout_per_split: "number",
    valid_users: "number",
    test_users: "number",
    conditions: "number",
  },
  "02-genre-statistics": {
    ...DATASET,
    top_genres: "string",
    rarest_genres: "string",
    imax_movies: "number",
    imax_top3: "string",
    mean_cu: "number",
    conditioned_rows: "number",
  },
  "03-training": {
    ...DATASET,
    run: "string",
    preset: "string",
    ...MODEL_CHECK,
    epochs: "number",
    best_epoch: "number",
    stopped_early: "boolean",
    ...TEST_NDCG,
    genre_share_mean: "number",
    train_seconds: "number",
    mult_vae_equal_updates_test_ndcg100: "number?",
    mult_vae_equal_updates_epochs: "number?",
  },
  "04-latent-pca": { ...DATASET, ...MODEL_CHECK, users: "number", latents: "number", pc1_to_pc5_variance: "number" },
  "05-user-profiling": {
    ...DATASET,
    ...MODEL_CHECK,
    users: "number",
    overlap_at3_profile: "number",
    overlap_at3_popularity: "number",
    serious_axis_spearman: "number",
    seeds: "number",
    overlap_at3_seeds_mean: "number",
    overlap_at3_seeds_sd: "number",
    overlap_at3_seeds_beating_popularity: "number",
    serious_axis_spearman_seeds_mean: "number",
    example_user: "number",
    example_profile: "string",
  },
  "06-context-conditions": {
    ...DATASET,
    ...MODEL_CHECK,
    conditions: "string",
    time_zone: "string",
    labels: "string",
    epochs: "number",
    train_seconds: "number",
    ...TEST_NDCG,
    lift_spearman_model_vs_planted: "number?",
    lift_null_p: "number?",
    lift_spearman_untrained_vs_planted: "number?",
    lift_spearman_data_vs_planted: "number?",
    lift_spearman_model_vs_data: "number",
    geometry_spearman_vs_planted: "number?",
  },
} as const satisfies Record<string, Record<string, Kind>>;

/** The notebooks that record results, in run order. */
export type NotebookName = keyof typeof RESULT_FIELDS;
export const NOTEBOOK_NAMES = Object.keys(RESULT_FIELDS) as NotebookName[];
/** The notebooks whose results carry claim fields. */
const WITH_CLAIMS: readonly NotebookName[] = ["04-latent-pca", "06-context-conditions"];

type Fields<S extends Record<string, Kind>> = { -readonly [K in keyof S]: TypeOf<S[K]> };
type FieldsOf<N extends NotebookName> = Fields<(typeof RESULT_FIELDS)[N]>;

/**
 * The claim fields of notebooks 04 and 06, one set per claim that was measured: claim_<id>_latent and
 * claim_<id>_plane (true, false, or null when the claim does not apply), and in 04 the bootstrap, seed,
 * null and control verdicts (claim_<id>_latent_bootstrap, ..._seeds_holding, claim_seeds, ...).
 */
export type ClaimFields = { [key: `claim_${string}`]: boolean | number | string | null };

export type PreprocessingResults = FieldsOf<"01-preprocessing">;
export type GenreStatisticsResults = FieldsOf<"02-genre-statistics">;
export type TrainingResults = FieldsOf<"03-training">;
export type LatentPcaResults = FieldsOf<"04-latent-pca"> & ClaimFields;
export type UserProfilingResults = FieldsOf<"05-user-profiling">;
export type ContextResults = FieldsOf<"06-context-conditions"> & ClaimFields;

/** What each notebook records, by notebook. */
export interface NotebookResults {
  "01-preprocessing": PreprocessingResults;
  "02-genre-statistics": GenreStatisticsResults;
  "03-training": TrainingResults;
  "04-latent-pca": LatentPcaResults;
  "05-user-profiling": UserProfilingResults;
  "06-context-conditions": ContextResults;
}

/** Results as read back from JSON, where a number that was not finite (NaN) was written as null. */
export type ReadBack<T> = { [K in keyof T]: T[K] extends number ? number | null : T[K] };

/** One notebook's record (data/metrics/<notebook>.json) as read back, told apart by its notebook. */
export type RecordedResults = {
  [N in NotebookName]: { notebook: N; recorded: string; results: ReadBack<NotebookResults[N]> };
}[NotebookName];

/** Where a notebook's results are recorded: data/metrics/<notebook>.json. */
export function resultsPath(notebook: string): string {
  return join(dataDir(), "metrics", `${notebook}.json`);
}

/** Last cell: writes the notebook's headline numbers atomically and shows them. */
export function recordResults<N extends NotebookName>(notebook: N, results: NotebookResults[N]): void {
  const record = { notebook, recorded: new Date().toISOString(), results };
  writeFileAtomic(resultsPath(notebook), JSON.stringify(record, null, 2) + "\n");
  // Recorded values are shown as recorded: an id such as 5619 must not read "5,619".
  const rows = Object.entries(results).map(([k, v]) => [k, Number.isInteger(v) ? String(v) : v]);
  showTable(["result", "value"], rows, `Recorded to data/metrics/${notebook}.json`);
}

const isNotebook = (name: unknown): name is NotebookName => typeof name === "string" && Object.hasOwn(RESULT_FIELDS, name);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether a value read back from JSON is of a field's kind (any number may read back as null: NaN is written so). */
function fits(kind: Kind, v: unknown): boolean {
  if (kind === "number" || kind === "number?") return v === null || typeof v === "number";
  return typeof v === kind;
}

/**
 * A parsed data/metrics/<notebook>.json as a typed record. Throws, naming the field, when the notebook is
 * not one of NOTEBOOK_NAMES or a field is missing or of another kind; fields besides the listed ones are
 * kept as they are, but for claim fields, which must be plain values (claim_<id>_latent and _plane: a
 * boolean or null).
 */
export function readRecordedResults(json: unknown): RecordedResults {
  if (!isObject(json)) throw new TypeError("a recorded results file holds an object");
  const { notebook, recorded, results } = json;
  if (!isNotebook(notebook)) throw new TypeError(`no recorded results are defined for notebook ${JSON.stringify(notebook)}`);
  if (typeof recorded !== "string") throw new TypeError(`${notebook}: "recorded" is not a time stamp`);
  if (!isObject(results)) throw new TypeError(`${notebook}: "results" is not an object`);
  for (const [key, kind] of Object.entries(RESULT_FIELDS[notebook]) as [string, Kind][]) {
    if (!(key in results)) throw new TypeError(`${notebook}: the result ${key} is missing`);
    if (!fits(kind, results[key])) throw new TypeError(`${notebook}: ${key} = ${JSON.stringify(results[key])} is not a ${kind}`);
  }
  if (WITH_CLAIMS.includes(notebook))
    for (const [key, v] of Object.entries(results)) {
      if (!key.startsWith("claim_")) continue;
      const verdict = /^claim_.+_(latent|plane)$/.test(key);
      if (verdict ? v !== null && typeof v !== "boolean" : isObject(v) || Array.isArray(v))
        throw new TypeError(`${notebook}: ${key} = ${JSON.stringify(v)} is not a ${verdict ? "verdict (true, false or null)" : "value"}`);
    }
  return { notebook, recorded, results } as RecordedResults;
}

const num = (v: number | null, d = 3) => (v !== null && Number.isFinite(v) ? v.toFixed(d) : "n/a");

/** The claim verdicts in the latent space, counted: held, not held, not applicable. */
function claimsText(results: ClaimFields): string | null {
  const verdicts = Object.entries(results).filter(([k]) => /^claim_.+_latent$/.test(k));
  if (!verdicts.length) return null;
  const count = (v: boolean | null) => verdicts.filter(([, x]) => x === v).length;
  return `claims (latent space): ${count(true)} hold, ${count(false)} do not, ${count(null)} not applicable`;
}

/** Test nDCG@100 against popularity, on all test users and on the conditioned rows (`rows`: the condition kind). */
function ndcgText(r: ReadBack<Fields<typeof TEST_NDCG>>, rows: string): string {
  return (
    `test nDCG@100 ${num(r.test_ndcg100_unconditioned)} vs popularity ${num(r.popularity_ndcg100_unconditioned)}; ` +
    `${rows} rows ${num(r.test_ndcg100_conditioned)} vs ${num(r.popularity_ndcg100_conditioned)}`
  );
}

/**
 * A notebook's headline results in one line for the report index: the data set (and that it is
 * synthetic), then what the notebook measured: counts (01), the leading genres (02), nDCG against
 * popularity (03, 06), the context effect's recovery (06), claims held (04, 06), profile agreement (05).
 */
export function headlineText(record: RecordedResults): string {
  const parts = [`${record.results.dataset}${record.results.synthetic ? " (SYNTHETIC)" : ""}`];
  switch (record.notebook) {
    case "01-preprocessing": {
      const { users, items } = record.results;
      if (users !== null && items !== null) parts.push(`${users} users, ${items} items`);
      break;
    }
    case "02-genre-statistics":
      parts.push(`top genres ${record.results.top_genres}; ${String(record.results.imax_movies)} IMAX movies`);
      break;
    case "03-training":
      parts.push(ndcgText(record.results, "genre"));
      break;
    case "04-latent-pca":
      parts.push(claimsText(record.results) ?? "");
      break;
    case "05-user-profiling":
      parts.push(
        `profile overlap@3 ${num(record.results.overlap_at3_profile)} vs popularity ${num(record.results.overlap_at3_popularity)}`,
      );
      break;
    case "06-context-conditions": {
      const r = record.results;
      parts.push(ndcgText(r, r.conditions));
      if (r.lift_spearman_model_vs_planted !== null)
        parts.push(`context lift vs planted: Spearman ${num(r.lift_spearman_model_vs_planted)}`);
      parts.push(claimsText(r) ?? "");
      break;
    }
  }
  return parts.filter((p) => p !== "").join("; ");
}

/**
 * The warning for a notebook whose model does not beat popularity on validation
 * (model_beats_popularity false), with the notebook's own model_check line; undefined when it does,
 * and for the notebooks that use no model (01, 02).
 */
export function modelWarningText(record: RecordedResults): string | undefined {
  if (!("model_beats_popularity" in record.results) || record.results.model_beats_popularity !== false) return undefined;
  const check = record.results.model_check.trim();
  return `Model does not beat popularity on validation: ${check === "" ? "(no model_check recorded)" : check}`;
}
