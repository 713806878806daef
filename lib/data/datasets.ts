// Data set names and where they live: data/raw/<name>/ holds source files (synthetic
// presets, GroupLens downloads), data/processed/<name>/ the preprocessed form. A local
// folder of MovieLens files works anywhere a name does.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { requireRegularFile } from "../core/fs";
import { basename, join, resolve } from "node:path";
import { detectMovieLens, readMovieLens } from "./movielens/movielens";
import { markdownCode } from "../core/html";
import { checkName, nameFromFolder } from "../core/names";
import { dataDir } from "../core/paths";
import { preprocess } from "./protocol/preprocess";
import type { ConditionKind, PreprocessOptions, ProcessedDataset } from "./schema";
import { checkSameSource, sameSource, storedSource } from "./same-source";
import { processedDir, saveProcessed } from "./store";
import { isSynthName, SYNTH_PRESETS, SYNTH_VERSION, type SynthConfig, type SynthSummary, writeSynthetic } from "./synthetic/synth";

export const MOVIELENS_DOWNLOAD_NAMES = ["ml-latest-small", "ml-100k", "ml-1m", "ml-20m", "ml-25m"];

export function rawDir(name: string): string {
  return join(dataDir(), "raw", checkName(name, "data set"));
}

export interface ResolvedSource {
  /** Name used for data/processed/<name>/. */
  name: string;
  folder: string;
  synthetic: boolean;
}

/**
 * A data set name (synthetic preset, downloaded MovieLens name, anything under data/raw/)
 * or a folder path. Errors list what exists and how to get the rest.
 */
export function resolveSource(nameOrFolder: string): ResolvedSource {
  const asPath = resolve(nameOrFolder);
  if (isFolderArgument(nameOrFolder)) {
    if (!existsSync(asPath)) throw new Error(`${asPath}: no such folder`);
    if (!statSync(asPath).isDirectory()) throw new Error(`${asPath}: not a folder; give the folder that holds the MovieLens files`);
    return { name: nameFromFolder(basename(asPath)), folder: asPath, synthetic: existsSync(join(asPath, "ground-truth.json")) };
  }
  const folder = rawDir(nameOrFolder);
  if (!existsSync(folder) && existsSync(asPath) && statSync(asPath).isDirectory()) {
    return { name: nameFromFolder(basename(asPath)), folder: asPath, synthetic: existsSync(join(asPath, "ground-truth.json")) };
  }
  if (existsSync(folder))
    return { name: nameOrFolder, folder, synthetic: isSynthName(nameOrFolder) || existsSync(join(folder, "ground-truth.json")) };
  const hint = isSynthName(nameOrFolder)
    ? `run \`npx cvae data synth ${nameOrFolder}\` first`
    : MOVIELENS_DOWNLOAD_NAMES.includes(nameOrFolder)
      ? `run \`npx cvae data download ${nameOrFolder}\` first`
      : `give a synthetic preset (${Object.keys(SYNTH_PRESETS).join(", ")}), a MovieLens ` +
        `name (${MOVIELENS_DOWNLOAD_NAMES.join(", ")}) or a folder with MovieLens files`;
  const have = listRaw();
  throw new Error(`no data set "${nameOrFolder}" in ${join(dataDir(), "raw")}${have.length ? ` (have: ${have.join(", ")})` : ""}; ${hint}`);
}

/** A data set argument that is a folder path (rather than a name of data/raw/ or data/processed/). */
function isFolderArgument(arg: string): boolean {
  return arg.includes("/") || arg.startsWith(".");
}

/**
 * The processed data set a data set argument means (the one notebook 01 and `cvae data
 * prepare` write): a folder path gives its folder's name made valid (what resolveSource
 * names it), any other argument is a name and must be a plain folder name. Every notebook,
 * the CLI and the benchmarks pass their `dataset` through this, so a folder works
 * everywhere a name does. A folder that does not exist, or whose name's set is not
 * prepared yet, is an error saying so (a name's `data prepare` hint cannot work for it).
 */
export function processedNameOf(arg: string): string {
  if (!isFolderArgument(arg)) return checkName(arg, "data set");
  const folder = resolve(arg);
  if (!existsSync(folder))
    throw new Error(`data set ${arg}: ${folder}: no such folder; give a processed data set's name or an existing folder`);
  if (!statSync(folder).isDirectory()) throw new Error(`data set ${arg}: ${folder}: not a folder`);
  const name = nameFromFolder(basename(folder));
  if (existsSync(join(folder, "dataset.json"))) return name; // a processed set's own folder
  const prepare = `npx cvae data prepare ${arg}`;
  if (!existsSync(join(processedDir(name), "dataset.json")))
    throw new Error(`data set ${arg}: the folder ${folder} is not prepared yet; run \`${prepare}\` first`);
  const stored = storedSource(processedDir(name)); // null when damaged: loading it says so
  if (stored && !sameSource(stored, folder) && !sameSource(stored, filesFolder(folder)))
    throw new Error(
      `data set ${arg}: the processed set "${name}" (${processedDir(name)}) was prepared from ${stored.folder}, not from ${folder}; ` +
        `run \`${prepare} --name NAME\` and give --dataset NAME`,
    );
  return name;
}

/** The folder holding the MovieLens files of `folder` (it or its only sub-folder), or `folder` when it holds none. */
function filesFolder(folder: string): string {
  try {
    return detectMovieLens(folder).folder;
  } catch {
    return folder;
  }
}

/** The processed name of a source prepared with a condition kind: the source's own for genres, "<source>-<kind>" otherwise. */
export function processedNameFor(sourceName: string, kind: ConditionKind): string {
  return checkName(kind === "genre" ? sourceName : `${sourceName}-${kind}`, "data set");
}

export function listRaw(): string[] {
  const dir = join(dataDir(), "raw");
  return existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith(".") && statSync(join(dir, f)).isDirectory()) : [];
}

export function listProcessed(): string[] {
  const dir = join(dataDir(), "processed");
  return existsSync(dir) ? readdirSync(dir).filter((f) => existsSync(join(dir, f, "dataset.json"))) : [];
}

/** Writes a synthetic preset to data/raw/<preset>/ unless it is already there (or `force`). */
export async function ensureSynthetic(
  preset: string,
  options: { force?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<{ folder: string; created: boolean; summary?: SynthSummary }> {
  if (!isSynthName(preset)) throw new Error(`unknown synthetic preset "${preset}"; presets: ${Object.keys(SYNTH_PRESETS).join(", ")}`);
  const folder = rawDir(preset);
  if (!options.force && isCurrentSynthetic(folder, SYNTH_PRESETS[preset])) return { folder, created: false };
  const summary = await writeSynthetic(folder, SYNTH_PRESETS[preset], options.onProgress);
  return { folder, created: true, summary };
}

/** The source of a data set, generating a synthetic preset first when it is missing. */
export async function prepareSource(nameOrFolder: string): Promise<ResolvedSource & { generated: boolean }> {
  let generated = false;
  if (isSynthName(nameOrFolder)) generated = (await ensureSynthetic(nameOrFolder)).created;
  return { ...resolveSource(nameOrFolder), generated };
}

/** A markdown note on where the data comes from, for notebooks. Names and paths are escaped (they come from the user's files). */
export function sourceNote(source: ResolvedSource & { generated?: boolean }): string {
  return source.synthetic
    ? `> **Synthetic data.** ${markdownCode(source.name)} was ${source.generated ? "just generated" : "generated"} ` +
        "by `lib/data/synthetic/synth.ts` " +
        `in the ML-20M file layout, from planted genre tastes (see ${markdownCode(join(source.folder, "ground-truth.json"))}). Its users ` +
        "are not real; results on it test the pipeline and the analysis, not MovieLens. Use `--param dataset=ml-20m` (after " +
        "`npx cvae data download ml-20m`) or a folder for real data."
    : `> **MovieLens data** from ${markdownCode(source.folder)}.`;
}

/** True when `folder` holds data from this generator version and config. */
function isCurrentSynthetic(folder: string, config: SynthConfig): boolean {
  try {
    requireRegularFile(join(folder, "ground-truth.json"), "a JSON file"); // else not current: generated again
    const truth = JSON.parse(readFileSync(join(folder, "ground-truth.json"), "utf8")) as {
      generator?: { version?: number; config?: SynthConfig };
    };
    return (
      existsSync(join(folder, "ratings.csv")) &&
      truth.generator?.version === SYNTH_VERSION &&
      JSON.stringify(truth.generator.config) === JSON.stringify(config)
    );
  } catch {
    return false;
  }
}

export interface PrepareResult {
  dataset: ProcessedDataset;
  source: ResolvedSource;
  dir: string;
  seconds: { read: number; preprocess: number; save: number; total: number };
}

/**
 * Reads, preprocesses and saves a data set; nothing is written unless every step succeeds. A set of the
 * same name from another source is refused before any reading, unless `replace`.
 */
export async function prepareDataset(
  nameOrFolder: string,
  options: Partial<PreprocessOptions> & { name?: string; replace?: boolean } = {},
): Promise<PrepareResult> {
  const { name: outName, replace, ...protocol } = options;
  const source = resolveSource(nameOrFolder);
  // Another kind is another data set: it gets its own folder unless named.
  const name = outName ?? processedNameFor(source.name, protocol.conditions ?? "genre");
  const dir = processedDir(name);
  checkSameSource(dir, name, detectMovieLens(source.folder).folder, replace);
  const t0 = performance.now();
  const raw = readMovieLens(source.folder);
  const t1 = performance.now();
  const dataset = preprocess(raw, name, protocol);
  const t2 = performance.now();
  await saveProcessed(dataset, dir, { replace });
  const t3 = performance.now();
  return {
    dataset,
    source,
    dir,
    seconds: { read: (t1 - t0) / 1000, preprocess: (t2 - t1) / 1000, save: (t3 - t2) / 1000, total: (t3 - t0) / 1000 },
  };
}
