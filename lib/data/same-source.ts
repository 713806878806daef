// One name means one data set: data/processed/<name>/ is written again only from the source
// it was prepared from, unless the caller asks to replace it (`cvae data prepare --replace`).
// A source is its folder; a folder inside the data folder is also recorded relative to it
// (source.dataPath in dataset.json), so a moved or copied data folder keeps its sources.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { dataDir } from "../core/paths";

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The folder's path relative to the data folder ("raw/ml-1m"), when it lies inside it. */
export function dataPathOf(folder: string): string | undefined {
  const rel = relative(realOrResolved(dataDir()), realOrResolved(folder));
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : undefined;
}

/**
 * Where a stored set's source is now: the recorded dataPath inside the data folder that holds the set
 * (`<data>/processed/<name>/`), so a copied or moved data folder keeps its sources, ground-truth.json
 * among them; else the folder as recorded. Never the current data folder's file of that path for a
 * set that lives elsewhere: that would pair the set with another folder's source.
 */
export function currentSourceFolder(setDir: string, folder: string, dataPath: string | undefined): string {
  const processed = dirname(resolve(setDir));
  if (dataPath === undefined || basename(processed) !== "processed") return folder;
  const here = join(dirname(processed), dataPath);
  return existsSync(here) ? here : folder;
}

export interface StoredSource {
  /** The set's name as stored (a folder may hold a set saved under another name). */
  name: string;
  folder: string;
  dataPath?: string;
  /** Written before version 4, which records no dataPath. */
  legacy: boolean;
}

/** The name and source of the set in `dir`; null when there is none or its dataset.json cannot be read (preparing repairs it). */
export function storedSource(dir: string): StoredSource | null {
  const path = join(dir, "dataset.json");
  if (!existsSync(path)) return null;
  try {
    const doc = JSON.parse(readFileSync(path, "utf8")) as {
      name?: unknown;
      version?: unknown;
      source?: { folder?: unknown; dataPath?: unknown };
    } | null;
    const source = doc?.source;
    if (!doc || typeof source?.folder !== "string") return null;
    return {
      name: typeof doc.name === "string" ? doc.name : "",
      folder: source.folder,
      dataPath: typeof source.dataPath === "string" ? source.dataPath : undefined,
      legacy: typeof doc.version !== "number" || doc.version < 4,
    };
  } catch {
    return null;
  }
}

/** True when `folder` is the source the stored set was prepared from. */
export function sameSource(stored: StoredSource, folder: string): boolean {
  if (realOrResolved(stored.folder) === realOrResolved(folder)) return true;
  const here = dataPathOf(folder);
  if (here === undefined) return false;
  if (stored.dataPath !== undefined) return stored.dataPath === here;
  // An older set records no dataPath: one made of another data folder's raw/<name> is taken as this one's.
  return stored.legacy && here.startsWith("raw/") && stored.folder.split(sep).join("/").endsWith(`/${here}`);
}

/** Throws, naming the set, both sources and --replace, when `dir` holds a set of another source than `folder` (unless `replace`). */
export function checkSameSource(dir: string, name: string, folder: string, replace = false): void {
  if (replace) return;
  const stored = storedSource(dir);
  if (!stored || sameSource(stored, folder)) return;
  const held = stored.name && stored.name !== name ? `the data set "${stored.name}"` : "a data set";
  throw new Error(
    `data set "${name}": ${dir} already holds ${held} prepared from ${stored.folder}, not from ${folder}; ` +
      `give this source another name (--name NAME), or replace the set (--replace: models trained on the old set ` +
      `will then say so when used)`,
  );
}
