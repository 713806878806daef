// A finished model is replaced only when its retraining finishes. Training a run again
// from the start (restart) while its folder holds a finished model writes the new run's
// checkpoints to a staging folder beside it (data/models/.<run>.next/); the finished
// folder is swapped for it when the new training finishes. An interrupted retraining
// leaves the finished model usable, and a later resume continues the staged run. A folder
// holding no readable run (weights without checkpoint.json, a damaged checkpoint) is kept the
// same way: a restart (notebook 03's default) replaces it only with a finished training.
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { replaceDir } from "../core/fs";
import { modelDir } from "../model/checkpoint";
import { readCheckpointMeta } from "./checkpoint";

export type ResumeMode = "auto" | "never";

/** The folders of one training: where its checkpoints go now and where the model ends up. */
export interface RunFolders {
  /** The run's folder (data/models/<run>/): the model's home. */
  dir: string;
  /** Where this training saves its checkpoints: `dir`, or the staging folder while a finished model is kept. */
  work: string;
  /** True while `work` is the staging folder: a finished model in `dir` stays until this training finishes. */
  staged: boolean;
  /** What `dir` holds that stays while staged: "the finished model", or "the files" of a folder holding no readable run. */
  kept: "the finished model" | "the files";
}

/** data/models/.<run>.next/: a retraining in progress of a run whose finished model is kept. */
export function stagingDir(run: string): string {
  const dir = modelDir(run);
  return join(dirname(dir), `.${run}.next`);
}

/** What a restart must keep in `dir` until it finishes: a finished model, or the files of a folder holding no readable run. */
function toKeep(dir: string): RunFolders["kept"] | null {
  try {
    return readCheckpointMeta(dir, { missingOk: true })?.position.finished ? "the finished model" : null;
  } catch {
    return "the files"; // weights without checkpoint.json, or a damaged checkpoint: restored by hand, maybe
  }
}

/**
 * Where a training of `run` saves: a restart ("never") of a finished run goes to the staging
 * folder (a previous staged attempt is dropped); a resume ("auto") continues a staged run
 * when there is one. A staged run that finished but was not swapped in yet (a kill between
 * the two) is swapped in first.
 */
export function runFolders(run: string, resume: ResumeMode): RunFolders {
  const dir = modelDir(run);
  const next = stagingDir(run);
  if (resume === "never") {
    rmSync(next, { recursive: true, force: true });
    const kept = toKeep(dir);
    return kept ? { dir, work: next, staged: true, kept } : { dir, work: dir, staged: false, kept: "the finished model" };
  }
  if (existsSync(next)) {
    // A damaged one, or one holding files but no checkpoint.json, is an error naming it (a restart drops it).
    const staged = readCheckpointMeta(next, { missingOk: true });
    if (staged?.position.finished) {
      replaceDir(next, dir);
      return { dir, work: dir, staged: false, kept: "the finished model" };
    }
    if (staged) return { dir, work: next, staged: true, kept: toKeep(dir) ?? "the finished model" };
    rmSync(next, { recursive: true, force: true }); // an empty leftover
  }
  return { dir, work: dir, staged: false, kept: "the finished model" };
}

/** The line saying that a staged training keeps what the run's folder holds until it finishes. */
export function stagedNote(folders: RunFolders): string {
  const [stay, is] = folders.kept === "the files" ? ["stay", "are"] : ["stays", "is"];
  return `training into ${folders.work}: ${folders.kept} in ${folders.dir} ${stay} until this training finishes, and ${is} replaced then`;
}

/** Swaps a finished staged training in as the run's model (nothing to do when it trained in place). */
export function finishRun(folders: RunFolders): void {
  if (folders.staged) replaceDir(folders.work, folders.dir);
}
