// Processed data sets on disk: data/processed/<name>/ holds dataset.json (format tag,
// options, summary, vocabularies, array directory, the size and CRC-32 of arrays.bin and of
// its own fields' text) and arrays.bin (every typed array, 8-byte aligned). The folder is
// written atomically, only over a set of the same source unless asked (same-source.ts), and
// reloads in well under a second; on load every field, the checksums and the agreement of
// the summary with the arrays are checked, so a damaged file is an error naming it.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type FileSum, sumOf, textSums, verifySum, verifyTextSums } from "../core/checksum";
import { recoverDir, requireRegularFile, writeDirAtomic } from "../core/fs";
import { checkName } from "../core/names";
import { dataDir } from "../core/paths";
import { checkShape, FILE_SUMS, readJsonFile, type Shape } from "../core/shape";
import { contentId } from "./catalogue";
import { CONDITION_KINDS, scopeOf } from "./conditions/conditions";
import { checkSameSource, currentSourceFolder, dataPathOf } from "./same-source";
import type { ConditionVocabulary, DataSource, MatrixContexts, PreprocessOptions, PreprocessSummary, ProcessedDataset } from "./schema";
import { type Csr, type Genre, MOVIELENS_FORMATS } from "./schema";
import { validateCsr } from "./sparse";

export const PROCESSED_FORMAT = "cvae-lens/processed-dataset";
/**
 * 2: dataset.json records the checksum of arrays.bin (version 1 sets load unverified).
 * 3: the condition kind and labels, with the decade table or the interaction contexts (1 and 2 are genre sets).
 * 4: the checksums of dataset.json's own fields (sums) and source.dataPath (earlier versions load unverified).
 */
export const PROCESSED_VERSION = 4;

type ArrayKind = "int32" | "uint8";
interface ArrayEntry {
  kind: ArrayKind;
  offset: number;
  length: number;
}

interface DatasetFile {
  format: string;
  version: number;
  name: string;
  created: string;
  /** dataPath: the source folder relative to the data folder, when inside it (version 4 on). */
  source: DataSource & { dataPath?: string };
  options: PreprocessOptions;
  summary: PreprocessSummary;
  warnings: string[];
  genres: Genre[];
  /** Absent before version 3: the genres. */
  conditions?: Omit<ConditionVocabulary, "scope">;
  movies: { titles: string[]; genres: Genre[][] };
  shapes: Record<string, { rows: number; cols: number }>;
  arrays: Record<string, ArrayEntry>;
  files?: Record<string, FileSum>;
  /** The checksums of the other fields' JSON text (version 4 on). */
  sums?: Record<string, FileSum>;
}

const SPLIT_COUNTS: Shape = {
  object: {
    candidateUsers: "integer",
    users: "integer",
    droppedUsers: "integer",
    foldInInteractions: "integer",
    heldOutInteractions: "integer",
  },
};

const SUMMARY_INTEGERS = [
  "rawRatings",
  "rawUsers",
  "rawMovies",
  "catalogueMovies",
  "unknownMovieRatings",
  "duplicateRatings",
  "positiveRatings",
  "positiveUsers",
  "filteredRatings",
  "users",
  "filteredMovies",
  "heldoutPerSplit",
  "trainUsers",
  "items",
  "trainInteractions",
  "conditions",
];

/** What dataset.json must hold. */
const DATASET_SHAPE: Shape = {
  object: {
    format: { literal: PROCESSED_FORMAT },
    version: "integer",
    name: "string",
    created: "string",
    source: {
      object: {
        format: { oneOf: MOVIELENS_FORMATS.map((f) => ({ literal: f })) },
        folder: "string",
        synthetic: "boolean",
        dataPath: "string",
      },
      optional: ["dataPath"],
    },
    options: {
      object: {
        seed: "integer",
        threshold: "number",
        minItems: "integer",
        heldout: { nullable: "integer" },
        testProportion: "number",
        conditions: { oneOf: CONDITION_KINDS.map((k) => ({ literal: k })) },
        timeZone: { nullable: "string" },
      },
      optional: ["conditions", "timeZone"],
    },
    summary: {
      object: {
        ...Object.fromEntries(SUMMARY_INTEGERS.map((k) => [k, "integer" as Shape])),
        trainDensity: "number",
        valid: SPLIT_COUNTS,
        test: SPLIT_COUNTS,
      },
    },
    warnings: { array: "string" },
    genres: { array: "string" },
    conditions: {
      object: {
        kind: { oneOf: CONDITION_KINDS.map((k) => ({ literal: k })) },
        labels: { array: "string" },
        timeZone: { nullable: "string" },
      },
    },
    movies: { object: { titles: { array: "string" }, genres: { array: { array: "string" } } } },
    shapes: { record: { object: { rows: "integer", cols: "integer" } } },
    arrays: { record: { object: { kind: { oneOf: [{ literal: "int32" }, { literal: "uint8" }] }, offset: "integer", length: "integer" } } },
    files: FILE_SUMS,
    sums: FILE_SUMS,
  },
  optional: ["files", "conditions", "sums"],
};

/** The prepare arguments that rebuild a set of this name: "<source>-<kind>" came from `<source> --conditions <kind>`. */
export function prepareArguments(name: string): string {
  const kind = CONDITION_KINDS.find((k) => k !== "genre" && name.endsWith(`-${k}`));
  return kind ? `${name.slice(0, -kind.length - 1)} --conditions ${kind}` : name;
}

export function processedDir(name: string): string {
  return join(dataDir(), "processed", checkName(name, "data set"));
}

/**
 * Writes the data set to `dir` (default data/processed/<name>/), replacing an older copy only on success, and
 * only one of the same source unless `replace`. Sets ds.contentId to the id of what it wrote.
 */
export async function saveProcessed(
  ds: ProcessedDataset,
  dir = processedDir(ds.name),
  options: { replace?: boolean } = {},
): Promise<string> {
  checkSameSource(dir, ds.name, ds.source.folder, options.replace);
  const arrays: Record<string, Int32Array | Uint8Array> = {
    itemMovieIds: ds.itemMovieIds,
    movieIds: ds.movies.movieIds,
    moviePositiveCounts: ds.moviePositiveCounts,
    trainUserIds: ds.train.userIds,
    validUserIds: ds.valid.userIds,
    testUserIds: ds.test.userIds,
  };
  const matrices: Record<string, Csr> = {
    itemGenres: ds.itemGenres,
    train: ds.train.matrix,
    validFoldIn: ds.valid.foldIn,
    validHeldOut: ds.valid.heldOut,
    testFoldIn: ds.test.foldIn,
    testHeldOut: ds.test.heldOut,
  };
  // The genre kind's item table is itemGenres; a decade table is stored beside it.
  if (ds.conditions.kind !== "genre" && ds.itemConditions) matrices.itemConditions = ds.itemConditions;
  for (const [key, m] of Object.entries(matrices)) {
    arrays[`${key}.indptr`] = m.indptr;
    arrays[`${key}.indices`] = m.indices;
  }
  if (ds.contexts) for (const [key, c] of Object.entries(ds.contexts)) arrays[`contexts.${key}`] = c as Uint8Array;
  const directory: Record<string, ArrayEntry> = {};
  let offset = 0;
  for (const [key, a] of Object.entries(arrays)) {
    directory[key] = { kind: a instanceof Uint8Array ? "uint8" : "int32", offset, length: a.length };
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const blob = Buffer.alloc(offset);
  for (const [key, a] of Object.entries(arrays)) Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(blob, directory[key].offset);
  const arraysSum = sumOf(blob);
  const meta: DatasetFile = {
    format: PROCESSED_FORMAT,
    version: PROCESSED_VERSION,
    name: ds.name,
    created: new Date().toISOString(),
    source: { ...ds.source, dataPath: dataPathOf(ds.source.folder) },
    options: ds.options,
    summary: ds.summary,
    warnings: ds.warnings,
    genres: ds.genres,
    conditions: { kind: ds.conditions.kind, labels: ds.conditions.labels, timeZone: ds.conditions.timeZone },
    movies: { titles: ds.movies.titles, genres: ds.movies.genres },
    shapes: Object.fromEntries(Object.entries(matrices).map(([k, m]) => [k, { rows: m.rows, cols: m.cols }])),
    arrays: directory,
    files: { "arrays.bin": arraysSum },
  };
  meta.sums = textSums(meta as unknown as Record<string, unknown>);
  await writeDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, "arrays.bin"), blob);
    writeFileSync(join(tmp, "dataset.json"), JSON.stringify(meta) + "\n");
  });
  ds.contentId = contentId(meta.sums, arraysSum);
  return dir;
}

/** Loads data/processed/<name>/ (or a folder path). Errors name the file and field and say how to rebuild it. */
export function loadProcessed(nameOrDir: string): ProcessedDataset {
  const isFolder = nameOrDir.includes("/") || existsSync(join(nameOrDir, "dataset.json"));
  const dir = isFolder ? nameOrDir : processedDir(nameOrDir);
  if (isFolder && !existsSync(dir)) throw new Error(`${resolve(dir)}: no such folder (given as the folder of a processed data set)`);
  if (isFolder && !statSync(dir).isDirectory())
    throw new Error(`${resolve(dir)}: not a folder (given as the folder of a processed data set)`);
  recoverDir(dir);
  const metaPath = join(dir, "dataset.json");
  const command = `npx cvae data prepare ${prepareArguments(isFolder ? "<its source>" : nameOrDir)}`;
  const rebuild = `; run \`${command}\` (or notebook 01-preprocessing) to build it again`;
  if (!existsSync(metaPath)) throw new Error(`no processed data set "${nameOrDir}" at ${dir}${rebuild}`);
  const raw = readJsonFile<{ format?: unknown; version?: unknown }>(metaPath, "any", rebuild);
  if (raw === null || typeof raw !== "object" || raw.format !== PROCESSED_FORMAT) {
    throw new Error(
      `${metaPath}: not a cvae-lens processed data set (format ${JSON.stringify((raw as { format?: unknown } | null)?.format)})`,
    );
  }
  if (!Number.isInteger(raw.version) || (raw.version as number) < 1 || (raw.version as number) > PROCESSED_VERSION) {
    throw new Error(
      `${metaPath}: format version ${JSON.stringify(raw.version)}, this cvae-lens reads versions 1 to ${PROCESSED_VERSION}${rebuild}`,
    );
  }
  const meta = checkShape<DatasetFile>(raw, DATASET_SHAPE, metaPath, rebuild);
  if (meta.version >= 4 && !meta.sums) throw new Error(`${metaPath}: sums (the checksums of its fields) is missing${rebuild}`);
  // A set of an earlier version never has sums: a version lowered by hand must not skip them.
  if (meta.version < 4 && meta.sums) throw new Error(`${metaPath}: version ${meta.version} with sums, which version 4 added${rebuild}`);
  if (meta.sums) verifyTextSums(raw as Record<string, unknown>, meta.sums, metaPath, rebuild);
  const binPath = join(dir, "arrays.bin");
  if (!existsSync(binPath)) throw new Error(`${binPath}: missing${rebuild}`);
  requireRegularFile(binPath, "the data set's arrays file");
  const bin = readFileSync(binPath);
  if (meta.version >= 2) {
    const sum = meta.files?.["arrays.bin"];
    if (!sum) throw new Error(`${metaPath}: files["arrays.bin"] (its checksum) is missing${rebuild}`);
    verifySum(binPath, bin, sum, rebuild);
  }
  // Own, aligned memory: small files may come back as a slice of Node's shared pool.
  const base = bin.byteOffset % 8 === 0 ? bin : Buffer.from(bin);
  const entry = (key: string, kind: ArrayKind): ArrayEntry => {
    const e = meta.arrays[key];
    if (!e) throw new Error(`${metaPath}: array "${key}" is missing${rebuild}`);
    if (e.kind !== kind) throw new Error(`${metaPath}: array "${key}" is ${e.kind}, expected ${kind}${rebuild}`);
    const bytes = kind === "int32" ? 4 : 1;
    if (e.offset < 0 || e.offset % 4 !== 0 || e.offset + e.length * bytes > base.byteLength) {
      throw new Error(`${binPath}: truncated (array "${key}" ends past the file)${rebuild}`);
    }
    return e;
  };
  const arr = (key: string): Int32Array => {
    const e = entry(key, "int32");
    return new Int32Array(base.buffer, base.byteOffset + e.offset, e.length);
  };
  const bytes = (key: string): Uint8Array => {
    const e = entry(key, "uint8");
    return new Uint8Array(base.buffer, base.byteOffset + e.offset, e.length);
  };
  const csr = (key: string): Csr => {
    const shape = meta.shapes[key];
    if (!shape) throw new Error(`${metaPath}: shapes.${key} is missing${rebuild}`);
    const m: Csr = { rows: shape.rows, cols: shape.cols, indptr: arr(`${key}.indptr`), indices: arr(`${key}.indices`) };
    validateCsr(m, `${dir} ${key}`);
    return m;
  };
  const movieIds = arr("movieIds");
  if (movieIds.length !== meta.movies.titles.length || movieIds.length !== meta.movies.genres.length) {
    throw new Error(
      `${metaPath}: ${movieIds.length} movie ids but ${meta.movies.titles.length} titles ` +
        `and ${meta.movies.genres.length} genre lists${rebuild}`,
    );
  }
  const saved = meta.conditions ?? { kind: "genre", labels: meta.genres, timeZone: null };
  const conditions: ConditionVocabulary = { ...saved, scope: scopeOf(saved.kind) };
  const itemGenres = csr("itemGenres");
  const contextKeys: (keyof MatrixContexts)[] = ["train", "validFoldIn", "validHeldOut", "testFoldIn", "testHeldOut"];
  const ds: ProcessedDataset = {
    name: meta.name,
    source: {
      format: meta.source.format,
      folder: currentSourceFolder(dir, meta.source.folder, meta.source.dataPath),
      synthetic: meta.source.synthetic,
    },
    options: { ...meta.options, conditions: meta.options.conditions ?? "genre", timeZone: meta.options.timeZone ?? null },
    summary: meta.summary,
    warnings: meta.warnings,
    itemMovieIds: arr("itemMovieIds"),
    genres: meta.genres,
    itemGenres,
    conditions,
    itemConditions: conditions.scope === "interaction" ? null : conditions.kind === "genre" ? itemGenres : csr("itemConditions"),
    contexts:
      conditions.scope === "interaction"
        ? (Object.fromEntries(contextKeys.map((k) => [k, bytes(`contexts.${k}`)])) as unknown as MatrixContexts)
        : null,
    train: { userIds: arr("trainUserIds"), matrix: csr("train") },
    valid: { userIds: arr("validUserIds"), foldIn: csr("validFoldIn"), heldOut: csr("validHeldOut") },
    test: { userIds: arr("testUserIds"), foldIn: csr("testFoldIn"), heldOut: csr("testHeldOut") },
    movies: { movieIds, titles: meta.movies.titles, genres: meta.movies.genres },
    moviePositiveCounts: arr("moviePositiveCounts"),
  };
  if (meta.sums && meta.files) ds.contentId = contentId(meta.sums, meta.files["arrays.bin"]);
  checkAgreement(ds, metaPath, rebuild);
  return ds;
}

/** The summary and vocabularies agree with the arrays (an edited dataset.json would otherwise mislead the model's dimensions). */
function checkAgreement(ds: ProcessedDataset, metaPath: string, rebuild: string): void {
  const m = ds.itemMovieIds.length;
  const checks: [string, number, number][] = [
    ["summary.items", ds.summary.items, m],
    ["shapes.train.cols", ds.train.matrix.cols, m],
    ["shapes.itemGenres.rows", ds.itemGenres.rows, m],
    ["genres (its length)", ds.genres.length, ds.itemGenres.cols],
    ["summary.conditions", ds.summary.conditions, ds.conditions.labels.length],
    ["summary.trainUsers", ds.summary.trainUsers, ds.train.matrix.rows],
    ["shapes.train.rows", ds.train.matrix.rows, ds.train.userIds.length],
  ];
  for (const split of ["valid", "test"] as const) {
    const s = ds[split];
    checks.push(
      [`summary.${split}.users`, ds.summary[split].users, s.userIds.length],
      [`shapes.${split}FoldIn.rows`, s.foldIn.rows, s.userIds.length],
      [`shapes.${split}HeldOut.rows`, s.heldOut.rows, s.userIds.length],
      [`shapes.${split}FoldIn.cols`, s.foldIn.cols, m],
      [`shapes.${split}HeldOut.cols`, s.heldOut.cols, m],
    );
  }
  if (ds.itemConditions)
    checks.push(
      ["shapes.itemConditions.rows", ds.itemConditions.rows, m],
      ["conditions.labels (its length)", ds.conditions.labels.length, ds.itemConditions.cols],
    );
  if (ds.contexts) {
    const C = ds.conditions.labels.length;
    const matrices = {
      train: ds.train.matrix,
      validFoldIn: ds.valid.foldIn,
      validHeldOut: ds.valid.heldOut,
      testFoldIn: ds.test.foldIn,
      testHeldOut: ds.test.heldOut,
    };
    for (const [key, mat] of Object.entries(matrices)) {
      const c = ds.contexts[key as keyof MatrixContexts];
      checks.push([`arrays.contexts.${key}.length`, c.length, mat.indices.length]);
      for (let k = 0; k < c.length; k++)
        if (c[k] >= C) throw new Error(`${metaPath}: contexts.${key} holds context ${c[k]} but there are ${C} labels${rebuild}`);
    }
  }
  if (ds.conditions.kind === "genre" && ds.conditions.labels.join("\n") !== ds.genres.join("\n"))
    throw new Error(`${metaPath}: conditions.labels differ from genres in a genre-conditioned set${rebuild}`);
  if (ds.options.conditions !== ds.conditions.kind)
    throw new Error(
      `${metaPath}: options.conditions is "${ds.options.conditions}" but conditions.kind is "${ds.conditions.kind}"${rebuild}`,
    );
  for (const [field, got, want] of checks) {
    if (got !== want) throw new Error(`${metaPath}: ${field} is ${got} but the arrays say ${want}${rebuild}`);
  }
}

/** Loads a processed data set and says how long it took (the notebooks show it). */
export function loadProcessedTimed(nameOrDir: string): { dataset: ProcessedDataset; milliseconds: number } {
  const t0 = performance.now();
  const dataset = loadProcessed(nameOrDir);
  return { dataset, milliseconds: performance.now() - t0 };
}
