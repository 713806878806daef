// A finished model is replaced only when its retraining finishes. Training a run again
// from the start (restart) while its folder holds a finished model writes the new run's
// checkpoints to a staging folder beside it (data/models/.<run>.next/); the finished
// folder is swapped for it when the new training finishes. An interrupted retraining
// leaves the finished model usable, and a later resume continues the staged run.
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
}

/** data/models/.<run>.next/: a retraining in progress of a run whose finished model is kept. */
export function stagingDir(run: string): string {
  const dir = modelDir(run);
  return join(dirname(dir), `.${run}.next`);
}

function holdsFinished(dir: string): boolean {
  try {
    return readCheckpointMeta(dir, { missingOk: true })?.position.finished === true;
  } catch {
    return false; // a damaged checkpoint is no finished model to keep
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
    return holdsFinished(dir) ? { dir, work: next, staged: true } : { dir, work: dir, staged: false };
  }
  if (existsSync(next)) {
    // A damaged one, or one holding files but no checkpoint.json, is an error naming it (a restart drops it).
    const staged = readCheckpointMeta(next, { missingOk: true });
    if (staged?.position.finished) {
      replaceDir(next, dir);
      return { dir, work: dir, staged: false };
    }
    if (staged) return { dir, work: next, staged: true };
    rmSync(next, { recursive: true, force: true }); // an empty leftover
  }
  return { dir, work: dir, staged: false };
}

/** Swaps a finished staged training in as the run's model (nothing to do when it trained in place). */
export function finishRun(folders: RunFolders): void {
  if (folders.staged) replaceDir(folders.work, folders.dir);
}
