// Is the model good enough to look inside? A model that ranks worse than popularity on
// validation users has not learned the users' tastes yet (too few epochs, a bad setting),
// and what the latent space says about it (the paper's claims, the profiles) says little.
// Every notebook that uses a model checks it first and marks what it measures on a model
// that fails.
import type { ProcessedDataset } from "../data/schema";
import { compareWithPopularity, type EvaluationResult, methodName, type Ranker, resultRows } from "../evaluation/evaluate";

/** The model against popularity on one protocol of the validation users (nDCG@100). */
export interface ProtocolCheck {
  protocol: string;
  model: number;
  popularity: number;
  beats: boolean;
}

export interface PopularityCheck {
  method: string;
  /** The model's validation nDCG@100 is at least popularity's under every protocol it takes part in. */
  beats: boolean;
  protocols: ProtocolCheck[];
  /** One line: "C-VAE beats popularity on validation users: nDCG@100 0.412 vs 0.327 (conditioned (genre rows)), ...". */
  text: string;
}

/**
 * The check from evaluation results (the model's and popularity's, as compareWithPopularity
 * returns them). A model without conditions is judged on the unconditioned protocol only: on
 * condition rows it does not see the condition.
 */
export function popularityCheckOf(results: Record<string, EvaluationResult>, method: string, conditioned: boolean): PopularityCheck {
  const rows = resultRows(results);
  const popularity = new Map(rows.filter((r) => r.method === "popularity").map((r) => [r.protocol, r.ndcg100]));
  const mine = rows.filter((r) => r.method === method && (conditioned || r.protocol === "unconditioned"));
  if (mine.length === 0) throw new Error(`popularity check: no results of "${method}" (methods: ${Object.keys(results).join(", ")})`);
  const protocols = mine.map((r) => {
    const pop = popularity.get(r.protocol);
    if (pop === undefined) throw new Error(`popularity check: no popularity result for protocol "${r.protocol}"`);
    // A model that ties popularity (e.g. both NaN-free and equal) does not beat it.
    return { protocol: r.protocol, model: r.ndcg100, popularity: pop, beats: r.ndcg100 > pop };
  });
  const beats = protocols.every((p) => p.beats);
  const numbers = protocols.map((p) => `${p.model.toFixed(3)} vs ${p.popularity.toFixed(3)} (${p.protocol})`).join(", ");
  const text = beats
    ? `${method} beats popularity on validation users: nDCG@100 ${numbers}`
    : `${method} does NOT beat popularity on validation users: nDCG@100 ${numbers}`;
  return { method, beats, protocols, text };
}

/** Evaluates the model and popularity on the validation users and checks the model against it. */
export async function checkAgainstPopularity(
  ds: ProcessedDataset,
  model: { conditioned: boolean; rank: Ranker },
): Promise<PopularityCheck> {
  const results = await compareWithPopularity(ds, "valid", model);
  return popularityCheckOf(results, methodName(model), model.conditioned);
}

/** The mark that goes on a table caption or figure measured on a model that fails the check; null when it passes. */
export function belowPopularityMark(check: PopularityCheck): string | null {
  return check.beats ? null : `measured on a model that does not beat popularity on validation (${check.method})`;
}

/** A caption with the mark in front when the model fails the check. */
export function markedCaption(caption: string, check: PopularityCheck): string {
  const mark = belowPopularityMark(check);
  return mark ? `⚠ ${mark}. ${caption}` : caption;
}

/** The check as flat results for data/metrics/ (the report index marks a notebook whose model fails it). */
export function popularityCheckResults(check: PopularityCheck): { model_beats_popularity: boolean; model_check: string } {
  return { model_beats_popularity: check.beats, model_check: check.text };
}
