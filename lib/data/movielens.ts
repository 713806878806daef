// Reads any MovieLens release into one in-memory shape (RawDataset): the CSV family
// (ML-20M, ML-25M, ML-32M, ml-latest, ml-latest-small), the "::" .dat files (ML-1M,
// ML-10M) and ML-100K's u.data/u.item. The format is detected from the files present.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { readRatingsFile } from "./ratings-file";
import { DataError, parseCsvRecords, readTextFile, splitRecords, type TextRecord } from "./text-files";
import { type Genre, type MovieLensFormat, type MovieTable, NO_GENRES, type RawDataset } from "./schema";

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
}

/**
 * Finds the MovieLens files in `folder` (or in its only sub-folder, as unzipped releases
 * have). Errors say which files were looked for and what was found.
 */
export function detectMovieLens(folder: string): DetectedFiles {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`${folder}: no such folder`);
  for (const dir of [folder, ...onlySubfolder(folder)]) {
    for (const spec of FORMATS) {
      const ratings = join(dir, spec.ratings);
      const movies = join(dir, spec.movies);
      if (existsSync(ratings) && existsSync(movies)) return { format: spec.format, folder: dir, ratingsFile: ratings, moviesFile: movies };
      if (existsSync(ratings) || existsSync(movies)) {
        throw new Error(
          `${dir}: found ${existsSync(ratings) ? spec.ratings : spec.movies} but ` +
            `not ${existsSync(ratings) ? spec.movies : spec.ratings}; both are needed`,
        );
      }
    }
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
  const warnings: string[] = [];
  const movies = readMovies(files, warnings);
  const afterHeader = files.format === "csv" ? " after the header" : "";
  if (movies.movieIds.length === 0) throw new DataError(files.moviesFile, 0, `no movies${afterHeader}`);
  const ratings =
    files.format === "csv"
      ? readRatingsFile(files.ratingsFile, { delimiter: ",", header: true })
      : files.format === "dat"
        ? readRatingsFile(files.ratingsFile, { delimiter: "::", header: false, columns: ["userId", "movieId", "rating", "ignore"] })
        : readRatingsFile(files.ratingsFile, { delimiter: "\t", header: false, columns: ["userId", "movieId", "rating", "ignore"] });
  if (ratings.length === 0) throw new DataError(files.ratingsFile, 0, `no ratings${afterHeader}`);
  return { ...files, ratings, movies, synthetic: existsSync(join(files.folder, "ground-truth.json")), warnings };
}

function readMovies(files: DetectedFiles, warnings: string[]): MovieTable {
  const text = readTextFile(files.moviesFile, warnings);
  switch (files.format) {
    case "csv":
      return moviesFromCsv(parseCsvRecords(text, files.moviesFile), files.moviesFile, warnings);
    case "dat":
      return moviesFromRecords(splitRecords(text, "::"), files.moviesFile, warnings, 3, (f) => [f[1], splitGenres(f[2])]);
    case "ml-100k":
      return moviesFromRecords(splitRecords(text, "|"), files.moviesFile, warnings, 24, (f, line) => [
        f[1],
        flagsToGenres(f.slice(5), files.moviesFile, line),
      ]);
    default:
      throw new Error(`unknown MovieLens format: ${String(files.format)}`);
  }
}

function moviesFromCsv(records: TextRecord[], path: string, warnings: string[]): MovieTable {
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
  return moviesFromRecords(records.slice(1), path, warnings, header.length, (f) => [f[ct], splitGenres(f[cg])], ci);
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

/** "Action|Children's" -> ["Action", "Children"]; ML-1M/100K spell "Children's". */
export function splitGenres(field: string): Genre[] {
  const out: Genre[] = [];
  for (const raw of field.split("|")) {
    const g = normaliseGenre(raw.trim());
    if (g && !out.includes(g)) out.push(g);
  }
  return out;
}

export function normaliseGenre(label: string): Genre {
  if (label === "Children's") return "Children";
  if (label === "unknown") return NO_GENRES;
  return label;
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
