// Reads any MovieLens release into one in-memory shape (RawDataset): the CSV family
// (ML-20M, ML-25M, ML-32M, ml-latest, ml-latest-small), the "::" .dat files (ML-1M,
// ML-10M) and ML-100K's u.data/u.item. The format is detected from the files present.
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { requireRegularFile } from "../../core/fs";
import { readRatingsFile } from "./ratings-file";
import { DataError, parseCsvRecords, readTextFile, splitRecords, type TextRecord } from "./text-files";
import { type Genre, ML20M_GENRES, type MovieLensFormat, type MovieTable, NO_GENRES, type RawDataset } from "../schema";

interface FormatSpec {
  format: MovieLensFormat;
  ratings: string;
  movies: string;
}

const FORMATS: FormatSpec[] = [
  { format: "csv", ratings: "ratings.csv", movies: "movies.csv" },
  { format: "dat", ratings: "ratings.dat", movies: "movies.dat" },
  { format: "ml-100k", ratings: "u.data", movies: "u.item" },
];

// ML-100K's u.item genre flags, in file order (its u.genre), mapped to ML-20M labels.
const ML100K_GENRES: Genre[] = [
  NO_GENRES,
  "Action",
  "Adventure",
  "Animation",
  "Children",
  "Comedy",
  "Crime",
  "Documentary",
  "Drama",
  "Fantasy",
  "Film-Noir",
  "Horror",
  "Musical",
  "Mystery",
  "Romance",
  "Sci-Fi",
  "Thriller",
  "War",
  "Western",
];

export interface DetectedFiles {
  format: MovieLensFormat;
  folder: string;
  ratingsFile: string;
  moviesFile: string;
  /** Other complete pairs in the same folder, which are not read (said in a warning). */
  ignored: string[];
}

/** The kind of entry at `path`: a file, a folder or nothing. */
function entryKind(path: string): "file" | "folder" | null {
  if (!existsSync(path)) return null;
  return statSync(path).isDirectory() ? "folder" : "file";
}

/**
 * Finds the MovieLens files in `folder` (or in its only sub-folder, as unzipped releases
 * have). The first complete pair wins (CSV, then .dat, then ML-100K) and the others are
 * named; errors say which files were looked for and what was found.
 */
export function detectMovieLens(folder: string): DetectedFiles {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`${folder}: no such folder`);
  for (const dir of [folder, ...onlySubfolder(folder)]) {
    const complete: FormatSpec[] = [];
    let half: string | null = null;
    for (const spec of FORMATS) {
      const ratings = entryKind(join(dir, spec.ratings));
      const movies = entryKind(join(dir, spec.movies));
      for (const [name, kind] of [
        [spec.ratings, ratings],
        [spec.movies, movies],
      ] as const) {
        if (kind === "folder") throw new Error(`${join(dir, name)} is a folder, not a file; MovieLens ${name} must be a file`);
      }
      if (ratings && movies) complete.push(spec);
      else if ((ratings || movies) && half === null) {
        half = `${dir}: found ${ratings ? spec.ratings : spec.movies} but not ${ratings ? spec.movies : spec.ratings}; both are needed`;
      }
    }
    if (complete.length) {
      const [spec, ...others] = complete;
      // Both are checked before the (long) read of either: a FIFO or a device is refused by name.
      requireRegularFile(join(dir, spec.ratings), `a MovieLens ratings file (${spec.ratings})`);
      requireRegularFile(join(dir, spec.movies), `a MovieLens movies file (${spec.movies})`);
      return {
        format: spec.format,
        folder: dir,
        ratingsFile: join(dir, spec.ratings),
        moviesFile: join(dir, spec.movies),
        ignored: others.map((o) => `${o.ratings} + ${o.movies}`),
      };
    }
    if (half) throw new Error(half);
  }
  const present = readdirSync(folder).slice(0, 12).join(", ") || "nothing";
  throw new Error(
    `${folder}: no MovieLens files (expected ratings.csv + movies.csv, ratings.dat + movies.dat, or u.data + u.item); found ${present}`,
  );
}

function onlySubfolder(folder: string): string[] {
  const subs = readdirSync(folder, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith("."));
  return subs.length === 1 ? [join(folder, subs[0].name)] : [];
}

/** Reads a MovieLens folder of any supported release. */
export function readMovieLens(folder: string): RawDataset {
  const files = detectMovieLens(folder);
  const { ignored } = files;
  const warnings: string[] = [];
  if (ignored.length) {
    const used = `${basename(files.ratingsFile)} + ${basename(files.moviesFile)}`;
    warnings.push(`${files.folder}: holds ${[used, ...ignored].join(" and ")}; using ${used}, ignoring ${ignored.join(" and ")}`);
  }
  const movies = readMovies(files, warnings);
  const afterHeader = files.format === "csv" ? " after the header" : "";
  if (movies.movieIds.length === 0) throw new DataError(files.moviesFile, 0, `no movies${afterHeader}`);
  const ratings =
    files.format === "csv"
      ? readRatingsFile(files.ratingsFile, { delimiter: ",", header: true })
      : files.format === "dat"
        ? readRatingsFile(files.ratingsFile, { delimiter: "::", header: false, columns: ["userId", "movieId", "rating", "timestamp"] })
        : readRatingsFile(files.ratingsFile, { delimiter: "\t", header: false, columns: ["userId", "movieId", "rating", "timestamp"] });
  if (ratings.length === 0) throw new DataError(files.ratingsFile, 0, `no ratings${afterHeader}`);
  return { ...files, ratings, movies, synthetic: existsSync(join(files.folder, "ground-truth.json")), warnings };
}

function readMovies(files: DetectedFiles, warnings: string[]): MovieTable {
  const text = readTextFile(files.moviesFile, warnings);
  const labels = new GenreLabels();
  const table = (() => {
    switch (files.format) {
      case "csv":
        return moviesFromCsv(parseCsvRecords(text, files.moviesFile), files.moviesFile, warnings, labels);
      case "dat":
        return moviesFromRecords(splitRecords(text, "::"), files.moviesFile, warnings, 3, (f) => [f[1], splitGenres(f[2], labels)]);
      case "ml-100k":
        return moviesFromRecords(splitRecords(text, "|"), files.moviesFile, warnings, 24, (f, line) => [
          f[1],
          flagsToGenres(f.slice(5), files.moviesFile, line),
        ]);
      default:
        throw new Error(`unknown MovieLens format: ${String(files.format)}`);
    }
  })();
  warnings.push(...labels.warnings(files.moviesFile));
  return table;
}

function moviesFromCsv(records: TextRecord[], path: string, warnings: string[], labels: GenreLabels): MovieTable {
  if (records.length === 0) throw new DataError(path, 0, "the file is empty");
  const header = records[0].fields.map((h) => h.trim());
  if (header.length === 1 && /[;\t|]/.test(header[0])) {
    throw new DataError(path, 1, `no "," in the header ${JSON.stringify(header[0])}; MovieLens CSV files are comma-separated`);
  }
  const col = (name: string) => header.indexOf(name);
  const missing = ["movieId", "title", "genres"].filter((n) => col(n) < 0);
  if (missing.length)
    throw new DataError(
      path,
      1,
      `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; ` +
        `expected movieId,title,genres, got ${JSON.stringify(header.join(","))}`,
    );
  const [ci, ct, cg] = [col("movieId"), col("title"), col("genres")];
  return moviesFromRecords(records.slice(1), path, warnings, header.length, (f) => [f[ct], splitGenres(f[cg], labels)], ci);
}

function moviesFromRecords(
  records: TextRecord[],
  path: string,
  warnings: string[],
  fieldCount: number,
  pick: (fields: string[], line: number) => [string, Genre[]],
  idColumn = 0,
): MovieTable {
  const movieIds = new Int32Array(records.length);
  const titles: string[] = [];
  const genres: Genre[][] = [];
  const seen = new Map<number, number>();
  let emptyGenres = 0;
  records.forEach((rec, k) => {
    if (rec.fields.length !== fieldCount) throw new DataError(path, rec.line, `expected ${fieldCount} fields, got ${rec.fields.length}`);
    const idText = rec.fields[idColumn].trim();
    if (!/^\d+$/.test(idText)) throw new DataError(path, rec.line, `movieId ${JSON.stringify(idText)} is not a whole number`);
    const id = Number(idText);
    if (id > 2147483647) throw new DataError(path, rec.line, `movieId ${idText} is too large`);
    if (seen.has(id)) throw new DataError(path, rec.line, `movieId ${id} appears twice (first on line ${seen.get(id)})`);
    seen.set(id, rec.line);
    const [title, gs] = pick(rec.fields, rec.line);
    movieIds[k] = id;
    titles.push(title);
    if (gs.length === 0) emptyGenres++;
    genres.push(gs.length ? gs : [NO_GENRES]);
  });
  if (emptyGenres)
    warnings.push(`${path}: ${emptyGenres} movie${emptyGenres > 1 ? "s have" : " has"} an empty genres field; treated as "${NO_GENRES}"`);
  return { movieIds, titles, genres };
}

/**
 * Genre labels as MovieLens spells them: case variants of a known label ("drama") and
 * ML-1M's "Children's" become the ML-20M label, "unknown" the neutral label; an unknown
 * label keeps its first spelling, and later case variants join it. Renames are counted.
 */
export class GenreLabels {
  private readonly canonical = new Map<string, Genre>();
  private readonly renames = new Map<string, { to: Genre; count: number }>();

  constructor() {
    for (const g of ML20M_GENRES) this.canonical.set(g.toLowerCase(), g);
    this.canonical.set("children's", "Children");
    this.canonical.set("unknown", NO_GENRES);
  }

  label(raw: string): Genre {
    const key = raw.toLowerCase();
    const known = this.canonical.get(key);
    if (known === undefined) {
      this.canonical.set(key, raw);
      return raw;
    }
    if (known !== raw) {
      const r = this.renames.get(raw) ?? { to: known, count: 0 };
      r.count++;
      this.renames.set(raw, r);
    }
    return known;
  }

  /** One warning naming every rename and how often it happened, or none. */
  warnings(path: string): string[] {
    if (this.renames.size === 0) return [];
    const list = [...this.renames.entries()].map(
      ([from, r]) => `${JSON.stringify(from)} -> ${JSON.stringify(r.to)} (${r.count} movie${r.count > 1 ? "s" : ""})`,
    );
    return [`${path}: genre labels normalised to their MovieLens spelling: ${list.join(", ")}`];
  }
}

/** "Action|Children's" -> ["Action", "Children"]: labels normalised by `labels`, each once, empty ones dropped. */
export function splitGenres(field: string, labels: GenreLabels = new GenreLabels()): Genre[] {
  const out: Genre[] = [];
  for (const raw of field.split("|")) {
    const trimmed = raw.trim();
    if (!trimmed) continue;
    const g = labels.label(trimmed);
    if (!out.includes(g)) out.push(g);
  }
  return out;
}

export function normaliseGenre(label: string): Genre {
  return new GenreLabels().label(label);
}

function flagsToGenres(flags: string[], path: string, line: number): Genre[] {
  if (flags.length !== ML100K_GENRES.length)
    throw new DataError(path, line, `expected ${ML100K_GENRES.length} genre flags, got ${flags.length}`);
  const out: Genre[] = [];
  flags.forEach((f, k) => {
    if (f !== "0" && f !== "1") throw new DataError(path, line, `genre flag ${JSON.stringify(f)} is not 0 or 1`);
    if (f === "1") out.push(ML100K_GENRES[k]);
  });
  return out.length > 1 ? out.filter((g) => g !== NO_GENRES) : out;
}
