// What every notebook shares around its analysis: the setup cell (versions, backend, plotly.js),
// the model's status and its check against popularity. The results cell is results.ts.
import { tfjs } from "../model/tfjs";
import { describeBackend, initBackend, type BackendInfo } from "../model/backend";
import { loadPlotly, showMarkdown } from "./display";
import { escapeHtml } from "../core/html";
import { budgetNote, type CvaeModel, trainingNote } from "../model/cvae-model";
import type { PopularityCheck } from "../analysis/model-check";
import { projectVersion } from "../core/paths";

export interface SetupInfo {
  notebook: string;
  backend: BackendInfo;
  versions: Record<string, string>;
}

/** Versions the environment.md table refers to. */
export function versions(): Record<string, string> {
  let typescript = "n/a";
  let tslab = "n/a";
  try {
    const pub = require("tslab") as { versions: { tslab: string; typescript: string } };
    typescript = pub.versions.typescript;
    tslab = pub.versions.tslab;
  } catch {
    // outside a tslab install
  }
  return { "cvae-lens": projectVersion(), node: process.version, tslab, "typescript (tslab)": typescript, tfjs: tfjs().version_core };
}

/** §0 of every notebook: picks the backend, prints versions, loads plotly.js once. */
export async function setupNotebook(notebook: string): Promise<SetupInfo> {
  const backend = await initBackend({ log: false });
  const v = versions();
  console.log(
    `${notebook} | ${Object.entries(v)
      .map(([k, x]) => `${k} ${x}`)
      .join(" | ")}`,
  );
  console.log(describeBackend(backend));
  loadPlotly();
  return { notebook, backend, versions: v };
}

/**
 * One line on the model a notebook uses (run, epochs, finished), and a visible warning when
 * its training is unfinished (interrupted), so results on it are not mistaken for a full run.
 */
export function showModelStatus(model: CvaeModel): void {
  const { epochs, finished, bestEpoch } = model.training;
  const state = finished ? "finished" : "UNFINISHED";
  console.log(`model ${model.config.run}: ${epochs} of ${model.config.epochs} epochs, ${state}, best epoch ${bestEpoch}`);
  const note = trainingNote(model, "finish it in 03-training with restart: false in its parameters cell") ?? budgetNote(model);
  if (note) showMarkdown(`> **Warning.** ${escapeHtml(note)}`);
}

/** How notebooks 03 and 06 say to train a better model, in their own parameters. */
export function trainBetterHint(preset: string): string {
  return preset === "quick"
    ? 'The "quick" preset is a smoke run: set preset: "paper" in the parameters cell to train to convergence.'
    : "Try a larger epoch budget (epochs), or look at the data set.";
}

/**
 * The model against popularity on validation users, at the top of a notebook's results: a
 * line when it beats popularity, a warning with \`hint\` (how to train a better one, in the
 * notebook's own parameters) when it does not.
 */
export function showPopularityCheck(check: PopularityCheck, hint: string): void {
  if (check.beats) showMarkdown(`**Model check.** ${escapeHtml(check.text)}.`);
  else
    showMarkdown(
      `> **Warning.** ${escapeHtml(check.text)}. What this notebook measures on it is marked ⚠ in the tables and figures ` +
        `below and in the report. ${escapeHtml(hint)}`,
    );
}
