// Model checkpoints under data/models/<run>/: weights, Adam state, the training position
// (epoch, batch, RNG states), the config, the vocabularies it was trained on and a format
// tag. The folder is replaced atomically after every epoch and on an interrupt, so a
// crash never leaves half a checkpoint. `best.bin` holds the best weights so far.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ModelDims, type ParamLayout, paramLayout } from "./parameters";
import { writeDirAtomic } from "../core/fs";
import { dataDir } from "../core/paths";
import type { ProcessedDataset } from "../data/schema";
import type { RngState } from "../core/rng";
import type { EngineBuffers } from "./engine";
import type { EpochRecord } from "./history";
import type { TrainConfig } from "../train/config";

export const CHECKPOINT_FORMAT = "cvae-lens/checkpoint";
export const CHECKPOINT_VERSION = 1;

/** What identifies the data a model was trained on. */
export interface Vocabulary {
  dataset: string;
  itemMovieIds: number[];
  genres: string[];
}

export interface TrainingPosition {
  /** Completed epochs. */
  epoch: number;
  /** Batches done in the current epoch (> 0 only for a checkpoint written on an interrupt). */
  batchInEpoch: number;
  updates: number;
  /** RNG state at the start of the current epoch (rebuilds its row order) and now. */
  rngEpochStart: RngState;
  rngNow: RngState;
  /** Loss sums of the current, unfinished epoch. */
  partial: { nllSum: number; klSum: number; rows: number; seconds: number };
  bestEpoch: number;
  bestMetric: number;
  epochsWithoutImprovement: number;
  finished: boolean;
  stoppedEarly: boolean;
}

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  created: string;
  config: TrainConfig;
  dims: ModelDims;
  vocabulary: Vocabulary;
  position: TrainingPosition;
  history: EpochRecord[];
  backend: string;
  threads: number;
}

export interface CheckpointArrays {
  params: Float32Array;
  adamM: Float32Array;
  adamV: Float32Array;
  adamStep: number;
  best: Float32Array;
}

/**
 * The run folder name of a (prefix, data set) pair: "cvae-synthetic" for the default
 * prefix. Notebooks 03-05 and the CLI's default run all name a model this way.
 */
export function runName(dataset: string, prefix = "cvae"): string {
  return `${prefix}-${dataset}`;
}

export function modelDir(run: string): string {
  return join(dataDir(), "models", run);
}

export function vocabularyOf(ds: ProcessedDataset): Vocabulary {
  return { dataset: ds.name, itemMovieIds: Array.from(ds.itemMovieIds), genres: [...ds.genres] };
}

/** Throws when the checkpoint was trained on other items or genres than `ds`. */
export function checkVocabulary(ck: Pick<Checkpoint, "vocabulary">, ds: ProcessedDataset, where: string): void {
  const v = ck.vocabulary;
  const ids = ds.itemMovieIds;
  const sameItems = v.itemMovieIds.length === ids.length && v.itemMovieIds.every((id, i) => id === ids[i]);
  const sameGenres = v.genres.length === ds.genres.length && v.genres.every((g, i) => g === ds.genres[i]);
  if (!sameItems || !sameGenres) {
    throw new Error(
      `${where}: the model was trained on data set "${v.dataset}" (${v.itemMovieIds.length} items, ${v.genres.length} genres), ` +
        `not on "${ds.name}" (${ids.length} items, ${ds.genres.length} genres); its vocabulary ` +
        `does not match. Train a model on "${ds.name}" or load the data set it was trained on.`,
    );
  }
}

/** A checkpoint of the current training state, tagged with this format and version. */
export function checkpointOf(parts: Omit<Checkpoint, "format" | "version" | "created">): Checkpoint {
  return { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, created: new Date().toISOString(), ...parts };
}

/** Writes the checkpoint folder atomically: the metadata, the engine's weights and Adam state, and the best weights. */
export async function saveCheckpoint(dir: string, ck: Checkpoint, state: EngineBuffers, best: Float32Array): Promise<void> {
  const blob = Buffer.concat([f32(state.params), f32(state.adam.m), f32(state.adam.v)]);
  await writeDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, "state.bin"), blob);
    writeFileSync(join(tmp, "best.bin"), f32(best));
    writeFileSync(join(tmp, "checkpoint.json"), JSON.stringify({ ...ck, adamStep: state.adam.step }, null, 1) + "\n");
  });
}

function f32(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

export interface LoadedCheckpoint {
  checkpoint: Checkpoint;
  arrays: CheckpointArrays;
}

/** Reads a checkpoint folder; every inconsistency is an error naming the file. */
export function loadCheckpoint(dir: string, layout?: ParamLayout): LoadedCheckpoint {
  const metaPath = join(dir, "checkpoint.json");
  if (!existsSync(metaPath))
    throw new Error(`no checkpoint at ${dir} (missing checkpoint.json); train one with \`npx cvae train\` or notebook 03-training`);
  let meta: Checkpoint & { adamStep: number };
  try {
    meta = JSON.parse(readFileSync(metaPath, "utf8")) as Checkpoint & { adamStep: number };
  } catch (err) {
    throw new Error(`${metaPath}: corrupt checkpoint (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (meta.format !== CHECKPOINT_FORMAT) throw new Error(`${metaPath}: not a cvae-lens checkpoint (format ${JSON.stringify(meta.format)})`);
  if (meta.version !== CHECKPOINT_VERSION)
    throw new Error(`${metaPath}: checkpoint format version ${meta.version}; this cvae-lens reads version ${CHECKPOINT_VERSION}`);
  const size = (layout ?? paramLayout(meta.dims)).size;
  const state = readFileSync(join(dir, "state.bin"));
  const best = readFileSync(join(dir, "best.bin"));
  if (state.byteLength !== 3 * size * 4)
    throw new Error(
      `${join(dir, "state.bin")}: corrupt checkpoint (${state.byteLength} bytes, expected ${3 * size * 4} for ${size} parameters)`,
    );
  if (best.byteLength !== size * 4)
    throw new Error(`${join(dir, "best.bin")}: corrupt checkpoint (${best.byteLength} bytes, expected ${size * 4})`);
  const floats = (buf: Buffer, from: number, count: number) =>
    new Float32Array(buf.buffer.slice(buf.byteOffset + from * 4, buf.byteOffset + (from + count) * 4));
  const arrays: CheckpointArrays = {
    params: floats(state, 0, size),
    adamM: floats(state, size, size),
    adamV: floats(state, 2 * size, size),
    adamStep: meta.adamStep,
    best: floats(best, 0, size),
  };
  for (const [name, a] of Object.entries(arrays)) {
    if (a instanceof Float32Array && !allFinite(a)) throw new Error(`${dir}: corrupt checkpoint (${name} holds non-finite numbers)`);
  }
  const { adamStep: _omit, ...checkpoint } = meta;
  return { checkpoint, arrays };
}

function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x !== x || x === Infinity || x === -Infinity) return false;
  }
  return true;
}
