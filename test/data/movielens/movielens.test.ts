import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DataError } from "../../../lib/data/movielens/text-files";
import { detectMovieLens, normaliseGenre, readMovieLens, splitGenres } from "../../../lib/data/movielens/movielens";
import { NO_GENRES, type RawDataset } from "../../../lib/data/schema";
import { tempDir } from "../../helpers/temp";

const RATINGS = ["userId,movieId,rating,timestamp", "1,1,4.0,964982703", "1,3,4.5,964981247", "2,11,0.5,964982224", "2,1254,5.0,964983815"];
const MOVIES = [
  "movieId,title,genres",
  "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy",
  "3,Grumpier Old Men (1995),Comedy|Romance",
  '11,"American President, The (1995)",Comedy|Drama|Romance',
  '1254,"""Great"" Escape, The (1963)",Action|Adventure',
];
const lf = (lines: string[]) => lines.join("\n") + "\n";

/** A temp folder holding `files` (name -> content). */
function folderWith(files: Record<string, string | Buffer>): string {
  const dir = tempDir("movielens-");
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** A CSV-family folder with RATINGS and MOVIES, either file replaced where given. */
function csvFolder(files: { ratings?: string | Buffer; movies?: string | Buffer } = {}): string {
  return folderWith({ "ratings.csv": files.ratings ?? lf(RATINGS), "movies.csv": files.movies ?? lf(MOVIES) });
}

/** The message of the DataError that reading `folder` throws. */
function readError(folder: string): DataError {
  try {
    readMovieLens(folder);
  } catch (err) {
    assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected readMovieLens to throw");
}

function ratingRows(raw: RawDataset): [number, number, number][] {
  const t = raw.ratings;
  return Array.from({ length: t.length }, (_, k) => [t.userIds[k], t.movieIds[k], t.ratings[k]]);
}

function movieRows(raw: RawDataset): [number, string, string[]][] {
  return Array.from(raw.movies.movieIds, (id, k) => [id, raw.movies.titles[k], raw.movies.genres[k]]);
}

const EXPECTED_RATINGS: [number, number, number][] = [
  [1, 1, 4],
  [1, 3, 4.5],
  [2, 11, 0.5],
  [2, 1254, 5],
];
const EXPECTED_MOVIES: [number, string, string[]][] = [
  [1, "Toy Story (1995)", ["Adventure", "Animation", "Children", "Comedy", "Fantasy"]],
  [3, "Grumpier Old Men (1995)", ["Comedy", "Romance"]],
  [11, "American President, The (1995)", ["Comedy", "Drama", "Romance"]],
  [1254, '"Great" Escape, The (1963)', ["Action", "Adventure"]],
];

describe("detectMovieLens(folder)", () => {
  it("recognises each of the three layouts by its file names", () => {
    const csv = folderWith({ "ratings.csv": "", "movies.csv": "" });
    assert.deepEqual(detectMovieLens(csv), {
      format: "csv",
      folder: csv,
      ratingsFile: join(csv, "ratings.csv"),
      moviesFile: join(csv, "movies.csv"),
      ignored: [],
    });
    const dat = folderWith({ "ratings.dat": "", "movies.dat": "", "users.dat": "" });
    assert.deepEqual(detectMovieLens(dat), {
      format: "dat",
      folder: dat,
      ratingsFile: join(dat, "ratings.dat"),
      moviesFile: join(dat, "movies.dat"),
      ignored: [],
    });
    const k100 = folderWith({ "u.data": "", "u.item": "", "u.user": "" });
    assert.deepEqual(detectMovieLens(k100), {
      format: "ml-100k",
      folder: k100,
      ratingsFile: join(k100, "u.data"),
      moviesFile: join(k100, "u.item"),
      ignored: [],
    });
  });

  it("looks inside the only sub-folder, as an unzipped release has", () => {
    const outer = tempDir("movielens-");
    const inner = join(outer, "ml-latest-small");
    mkdirSync(inner);
    writeFileSync(join(inner, "ratings.csv"), lf(RATINGS));
    writeFileSync(join(inner, "movies.csv"), lf(MOVIES));
    assert.equal(detectMovieLens(outer).folder, inner);
    assert.deepEqual(ratingRows(readMovieLens(outer)), EXPECTED_RATINGS);
  });

  it("says which file is missing when ratings.csv has no movies.csv beside it", () => {
    const dir = folderWith({ "ratings.csv": lf(RATINGS) });
    assert.throws(() => detectMovieLens(dir), { message: `${dir}: found ratings.csv but not movies.csv; both are needed` });
    assert.throws(() => readMovieLens(dir), { message: `${dir}: found ratings.csv but not movies.csv; both are needed` });
  });

  it("lists what it looked for and what it found in a folder without MovieLens files", () => {
    const empty = folderWith({});
    const expected = "expected ratings.csv + movies.csv, ratings.dat + movies.dat, or u.data + u.item";
    assert.throws(() => readMovieLens(empty), { message: `${empty}: no MovieLens files (${expected}); found nothing` });
    const other = folderWith({ "README.txt": "hi", "links.csv": "" });
    assert.throws(() => detectMovieLens(other), { message: `${other}: no MovieLens files (${expected}); found README.txt, links.csv` });
  });

  it("refuses a FIFO or a link to /dev/zero as ratings.csv by name, before reading movies.csv or opening either", () => {
    const fifo = folderWith({ "movies.csv": lf(MOVIES) });
    execFileSync("mkfifo", [join(fifo, "ratings.csv")]);
    const expected = "expected a MovieLens ratings file (ratings.csv); it was not read";
    assert.throws(() => readMovieLens(fifo), { message: `${join(fifo, "ratings.csv")}: is a named pipe (FIFO), ${expected}` });
    const zero = folderWith({ "movies.csv": lf(MOVIES) });
    symlinkSync("/dev/zero", join(zero, "ratings.csv"));
    assert.throws(() => detectMovieLens(zero), { message: `${join(zero, "ratings.csv")}: is a character device, ${expected}` });
    const movies = folderWith({ "ratings.csv": lf(RATINGS) });
    execFileSync("mkfifo", [join(movies, "movies.csv")]);
    assert.throws(() => readMovieLens(movies), /movies\.csv: is a named pipe \(FIFO\), expected a MovieLens movies file \(movies\.csv\)/);
  });

  it("says so when the folder does not exist", () => {
    const missing = join(tmpdir(), "movielens-no-such-folder-4a7c");
    assert.throws(() => detectMovieLens(missing), { message: `${missing}: no such folder` });
  });
});

describe("readMovieLens(folder) on the CSV family", () => {
  it("reads ratings and the catalogue with quoted titles and split genres, without warnings", () => {
    const dir = csvFolder();
    const raw = readMovieLens(dir);
    assert.equal(raw.format, "csv");
    assert.equal(raw.ratingsFile, join(dir, "ratings.csv"));
    assert.equal(raw.moviesFile, join(dir, "movies.csv"));
    assert.deepEqual(ratingRows(raw), EXPECTED_RATINGS);
    assert.deepEqual(movieRows(raw), EXPECTED_MOVIES);
    assert.deepEqual(raw.warnings, []);
    assert.equal(raw.synthetic, false);
  });

  it("marks a folder with ground-truth.json as synthetic", () => {
    const dir = folderWith({ "ratings.csv": lf(RATINGS), "movies.csv": lf(MOVIES), "ground-truth.json": "{}" });
    assert.equal(readMovieLens(dir).synthetic, true);
  });

  it("names ratings.csv and line 1 when its header says itemId instead of movieId", () => {
    const dir = csvFolder({ ratings: lf(["userId,itemId,rating,timestamp", "1,1,4,5"]) });
    const e = readError(dir);
    assert.equal(
      e.message,
      `${join(dir, "ratings.csv")} line 1: missing column movieId; expected a header ` +
        `like userId,movieId,rating,timestamp, got "userId,itemId,rating,timestamp"`,
    );
  });

  it("names movies.csv and line 1 when it has no genres column", () => {
    const dir = csvFolder({ movies: lf(["movieId,title", "1,Toy Story (1995)"]) });
    assert.equal(
      readError(dir).message,
      `${join(dir, "movies.csv")} line 1: missing column genres; expected movieId,title,genres, got "movieId,title"`,
    );
  });

  it("says a ratings.csv written with ';' looks ';'-separated", () => {
    const dir = csvFolder({ ratings: lf(["userId;movieId;rating;timestamp", "1;1;4;5"]) });
    assert.equal(
      readError(dir).message,
      `${join(dir, "ratings.csv")} line 1: no "," in the header "userId;movieId;rating;timestamp"; ` +
        `the file looks ";"-separated. MovieLens CSV files are comma-separated`,
    );
  });

  it("names movies.csv and line 1 when it is ';'-separated", () => {
    const dir = csvFolder({ movies: lf(["movieId;title;genres", "1;Toy Story (1995);Comedy"]) });
    assert.match(
      readError(dir).message,
      /movies\.csv line 1: no "," in the header "movieId;title;genres"; MovieLens CSV files are comma-separated$/,
    );
  });

  it("names the line of a ratings row with 3 fields (the header is line 1)", () => {
    const dir = csvFolder({ ratings: lf([...RATINGS.slice(0, 3), "2,11,0.5", ...RATINGS.slice(4)]) });
    assert.equal(
      readError(dir).message,
      `${join(dir, "ratings.csv")} line 4: expected 4 fields separated by ",", got 3 (line: "2,11,0.5")`,
    );
  });

  it("names the line of a ratings row with 5 fields", () => {
    const dir = csvFolder({ ratings: lf([...RATINGS, "3,1,4,5,extra"]) });
    assert.equal(
      readError(dir).message,
      `${join(dir, "ratings.csv")} line 6: expected 4 fields separated by ",", got 5 (line: "3,1,4,5,extra")`,
    );
  });

  it("names the line of a movies.csv row with too few fields", () => {
    const dir = csvFolder({ movies: lf([...MOVIES.slice(0, 2), "3,Grumpier Old Men (1995)"]) });
    const e = readError(dir);
    assert.equal(e.message, `${join(dir, "movies.csv")} line 3: expected 3 fields, got 2`);
    assert.equal(e.line, 3);
  });

  it("names the line of a non-numeric rating", () => {
    const dir = csvFolder({ ratings: lf([...RATINGS.slice(0, 2), "1,3,abc,964981247"]) });
    assert.equal(readError(dir).message, `${join(dir, "ratings.csv")} line 3: rating "abc" is not a number (line: "1,3,abc,964981247")`);
  });

  it("names the line of a userId that is not a whole number", () => {
    const dir = csvFolder({ ratings: lf([...RATINGS, "u7,1,4,5"]) });
    assert.equal(readError(dir).message, `${join(dir, "ratings.csv")} line 6: userId "u7" is not a whole number (line: "u7,1,4,5")`);
  });

  it("names the line of a rating of 7", () => {
    const dir = csvFolder({ ratings: lf([...RATINGS.slice(0, 4), "2,1254,7,964983815"]) });
    assert.equal(readError(dir).message, `${join(dir, "ratings.csv")} line 5: rating 7 is outside 0.5-5 (line: "2,1254,7,964983815")`);
  });

  it("names the line of a rating of 0", () => {
    const dir = csvFolder({ ratings: lf([RATINGS[0], "1,1,0,964982703", ...RATINGS.slice(2)]) });
    assert.equal(readError(dir).message, `${join(dir, "ratings.csv")} line 2: rating 0 is outside 0.5-5 (line: "1,1,0,964982703")`);
  });

  it("names the line of a movieId that is not a whole number, or too large", () => {
    assert.match(
      readError(csvFolder({ movies: lf([...MOVIES, "12a,Dracula (1995),Horror"]) })).message,
      /movies\.csv line 6: movieId "12a" is not a whole number$/,
    );
    assert.match(
      readError(csvFolder({ movies: lf([...MOVIES, "99999999999,Big (1988),Comedy"]) })).message,
      /movies\.csv line 6: movieId 99999999999 is too large$/,
    );
  });

  it("names both lines of a movieId listed twice in movies.csv", () => {
    const dir = csvFolder({ movies: lf([...MOVIES, "3,Grumpier Old Men (1995),Comedy"]) });
    assert.equal(readError(dir).message, `${join(dir, "movies.csv")} line 6: movieId 3 appears twice (first on line 3)`);
  });

  it("gives movies with an empty genres field '(no genres listed)' and warns with their count", () => {
    const dir = csvFolder({
      movies: lf([...MOVIES.slice(0, 2), "3,Grumpier Old Men (1995),", MOVIES[3], '1254,"""Great"" Escape, The (1963)",']),
    });
    const raw = readMovieLens(dir);
    assert.deepEqual(raw.movies.genres, [EXPECTED_MOVIES[0][2], [NO_GENRES], EXPECTED_MOVIES[2][2], [NO_GENRES]]);
    assert.deepEqual(raw.warnings, [`${join(dir, "movies.csv")}: 2 movies have an empty genres field; treated as "(no genres listed)"`]);
  });

  it("says 'has' for a single movie with an empty genres field", () => {
    const dir = csvFolder({ movies: lf([MOVIES[0], "1,Toy Story (1995),", ...MOVIES.slice(2)]) });
    assert.deepEqual(readMovieLens(dir).warnings, [
      `${join(dir, "movies.csv")}: 1 movie has an empty genres field; treated as "(no genres listed)"`,
    ]);
  });

  it("reads files that start with a UTF-8 BOM", () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const dir = csvFolder({
      ratings: Buffer.concat([bom, Buffer.from(lf(RATINGS))]),
      movies: Buffer.concat([bom, Buffer.from(lf(MOVIES))]),
    });
    const raw = readMovieLens(dir);
    assert.deepEqual(ratingRows(raw), EXPECTED_RATINGS);
    assert.deepEqual(movieRows(raw), EXPECTED_MOVIES);
    assert.deepEqual(raw.warnings, []);
  });

  it("reads CRLF files whose last line has no newline to the same values as LF files", () => {
    const raw = readMovieLens(csvFolder({ ratings: RATINGS.join("\r\n"), movies: MOVIES.join("\r\n") }));
    assert.deepEqual(ratingRows(raw), EXPECTED_RATINGS);
    assert.deepEqual(movieRows(raw), EXPECTED_MOVIES);
    assert.deepEqual(raw.warnings, []);
  });

  it("says a 0-byte ratings.csv is empty", () => {
    const dir = csvFolder({ ratings: "" });
    const e = readError(dir);
    assert.equal(e.message, `${join(dir, "ratings.csv")}: the file is empty`);
  });

  it("says a 0-byte movies.csv is empty", () => {
    const dir = csvFolder({ movies: "" });
    assert.equal(readError(dir).message, `${join(dir, "movies.csv")}: the file is empty`);
  });

  it("says a ratings.csv with only its header has no ratings after the header", () => {
    const dir = csvFolder({ ratings: RATINGS[0] + "\n" });
    assert.equal(readError(dir).message, `${join(dir, "ratings.csv")}: no ratings after the header`);
  });

  it("says a movies.csv with only its header has no movies after the header", () => {
    const dir = csvFolder({ movies: MOVIES[0] + "\r\n" });
    assert.equal(readError(dir).message, `${join(dir, "movies.csv")}: no movies after the header`);
  });

  it("keeps ratings of movies absent from movies.csv for preprocess to count", () => {
    const raw = readMovieLens(csvFolder({ ratings: lf([...RATINGS, "2,999,4,1"]) }));
    assert.deepEqual(ratingRows(raw).at(-1), [2, 999, 4]);
    assert.deepEqual(raw.warnings, []);
  });
});

describe("readMovieLens(folder) on ML-1M/10M .dat files", () => {
  it("reads '::' files, decodes a Latin-1 movies.dat with a warning, and renames Children's", () => {
    const dir = folderWith({
      "ratings.dat": "1::1193::5::978300760\n1::73::3::978302109\r\n6040::1193::4::956715569",
      "movies.dat": Buffer.from(
        "73::Misérables, Les (1995)::Drama|Musical\n1193::One Flew Over the Cuckoo's " +
          "Nest (1975)::Drama\n2::Jumanji (1995)::Adventure|Children's|Fantasy\n",
        "latin1",
      ),
    });
    const raw = readMovieLens(dir);
    assert.equal(raw.format, "dat");
    assert.deepEqual(ratingRows(raw), [
      [1, 1193, 5],
      [1, 73, 3],
      [6040, 1193, 4],
    ]);
    assert.deepEqual(movieRows(raw), [
      [73, "Misérables, Les (1995)", ["Drama", "Musical"]],
      [1193, "One Flew Over the Cuckoo's Nest (1975)", ["Drama"]],
      [2, "Jumanji (1995)", ["Adventure", "Children", "Fantasy"]],
    ]);
    assert.deepEqual(raw.warnings, [
      `${join(dir, "movies.dat")}: 1 line not valid UTF-8, read as Latin-1 (line 1)`,
      `${join(dir, "movies.dat")}: genre labels normalised to their MovieLens spelling: "Children's" -> "Children" (1 movie)`,
    ]);
  });

  it("names the file and line of a bad .dat rating and of a .dat movie with a missing field", () => {
    const bad = folderWith({
      "ratings.dat": "1::1193::5::978300760\n1::73::3,5::978302109\n",
      "movies.dat": "73::A (1995)::Drama\n1193::B (1975)::Drama\n",
    });
    assert.equal(
      readError(bad).message,
      `${join(bad, "ratings.dat")} line 2: rating "3,5" is not a number (line: "1::73::3,5::978302109")`,
    );
    const short = folderWith({ "ratings.dat": "1::73::5::1\n", "movies.dat": "73::A (1995)::Drama\n1193::B (1975)\n" });
    assert.equal(readError(short).message, `${join(short, "movies.dat")} line 2: expected 3 fields, got 2`);
  });
});

/** A u.item line: id, title, release date, video date, URL, then the 19 genre flags. */
function uItem(id: number, title: string, flagged: number[]): string {
  const flags = Array.from({ length: 19 }, (_, k) => (flagged.includes(k) ? "1" : "0"));
  return [String(id), title, "01-Jan-1995", "", `http://us.imdb.com/M/title-exact?${id}`, ...flags].join("|");
}

describe("readMovieLens(folder) on ML-100K", () => {
  it("reads tab-separated u.data and maps u.item genre flags to ML-20M labels", () => {
    const item = [
      uItem(1, "Toy Story (1995)", [3, 4, 5]), // Animation, Children's, Comedy
      uItem(242, "Kolya (1996)", [5]),
      uItem(267, "unknown", [0]), // u.item's "unknown" genre
      uItem(1373, "Good Morning (1971)", [0, 8]), // unknown and Drama: the real genre wins
    ];
    const dir = folderWith({
      "u.data": "196\t242\t3\t881250949\n186\t1\t3.5\t891717742\n22\t267\t1\t878887116\n",
      "u.item": Buffer.from(item.join("\n") + "\n", "latin1"),
    });
    const raw = readMovieLens(dir);
    assert.equal(raw.format, "ml-100k");
    assert.deepEqual(ratingRows(raw), [
      [196, 242, 3],
      [186, 1, 3.5],
      [22, 267, 1],
    ]);
    assert.deepEqual(movieRows(raw), [
      [1, "Toy Story (1995)", ["Animation", "Children", "Comedy"]],
      [242, "Kolya (1996)", ["Comedy"]],
      [267, "unknown", [NO_GENRES]],
      [1373, "Good Morning (1971)", ["Drama"]],
    ]);
    assert.deepEqual(raw.warnings, []);
  });

  it("names the line of a u.item genre flag that is not 0 or 1", () => {
    const dir = folderWith({
      "u.data": "1\t1\t3\t1\n",
      "u.item": uItem(1, "Toy Story (1995)", [3]) + "\n" + uItem(2, "GoldenEye (1995)", [1]).replace(/\|1\|/, "|yes|") + "\n",
    });
    assert.equal(readError(dir).message, `${join(dir, "u.item")} line 2: genre flag "yes" is not 0 or 1`);
  });

  it("names the line of a u.item row with the wrong number of fields", () => {
    const dir = folderWith({ "u.data": "1\t1\t3\t1\n", "u.item": uItem(1, "Toy Story (1995)", [3]) + "|0\n" });
    assert.equal(readError(dir).message, `${join(dir, "u.item")} line 1: expected 24 fields, got 25`);
  });
});

describe("splitGenres(field) and normaliseGenre(label)", () => {
  it("splits on '|', trims, drops empties and repeats, and renames the ML-1M/100K spellings", () => {
    assert.deepEqual(splitGenres("Action| Children's |Action||Sci-Fi"), ["Action", "Children", "Sci-Fi"]);
    assert.deepEqual(splitGenres(""), []);
    assert.deepEqual(splitGenres("(no genres listed)"), [NO_GENRES]);
    assert.equal(normaliseGenre("unknown"), NO_GENRES);
    assert.equal(normaliseGenre("Film-Noir"), "Film-Noir");
  });
});

describe("readMovieLens(folder) on awkward but valid input", () => {
  it("reads files whose lines end in a lone CR (old Mac) like LF files", () => {
    const cr = (lines: string[]) => lines.join("\r") + "\r";
    const raw = readMovieLens(csvFolder({ ratings: cr(RATINGS), movies: cr(MOVIES) }));
    assert.deepEqual(ratingRows(raw), EXPECTED_RATINGS);
    assert.deepEqual(movieRows(raw), EXPECTED_MOVIES);
  });

  it("reads RFC 4180-quoted numeric fields of ratings.csv", () => {
    const quoted = [
      '"userId","movieId","rating","timestamp"',
      '"1","1","4.0","964982703"',
      '1,"3",4.5,"964981247"',
      '"2",11,"0.5",1',
      '2,1254,5,"1,2"',
    ];
    assert.deepEqual(ratingRows(readMovieLens(csvFolder({ ratings: lf(quoted) }))), EXPECTED_RATINGS);
  });

  it("names the file and line of a quoted field that is not a number", () => {
    const e = readError(csvFolder({ ratings: lf([RATINGS[0], '1,"x",4,1']) }));
    assert.match(e.message, /ratings\.csv line 2: movieId "x" is not a whole number/);
  });

  it("decodes UTF-8 line by line: one Latin-1 line is read as Latin-1 and named, the UTF-8 titles stay intact", () => {
    const movies = Buffer.concat([
      Buffer.from("movieId,title,genres\n1,Amélie (2001),Comedy|Romance\n3,Crème (1995),Drama\n", "utf8"),
      Buffer.from("11,Misérables (1995),Drama\n", "latin1"),
      Buffer.from("1254,Ærø (1963),Drama\n", "utf8"),
    ]);
    const raw = readMovieLens(csvFolder({ movies }));
    assert.deepEqual(raw.movies.titles, ["Amélie (2001)", "Crème (1995)", "Misérables (1995)", "Ærø (1963)"]);
    assert.deepEqual(raw.warnings, [`${join(raw.folder, "movies.csv")}: 1 line not valid UTF-8, read as Latin-1 (line 4)`]);
  });

  it("normalises the case of genre labels and ML-1M's Children's, with a warning counting each rename", () => {
    const movies = lf([
      "movieId,title,genres",
      "1,A (1),drama|Comedy",
      "3,B (2),DRAMA|Children's",
      "11,C (3),Drama|space opera",
      "1254,D (4),Space Opera",
    ]);
    const raw = readMovieLens(csvFolder({ movies }));
    assert.deepEqual(raw.movies.genres, [["Drama", "Comedy"], ["Drama", "Children"], ["Drama", "space opera"], ["space opera"]]);
    assert.deepEqual(raw.warnings, [
      `${join(raw.folder, "movies.csv")}: genre labels normalised to their MovieLens spelling: ` +
        `"drama" -> "Drama" (1 movie), "DRAMA" -> "Drama" (1 movie), "Children's" -> "Children" (1 movie), ` +
        `"Space Opera" -> "space opera" (1 movie)`,
    ]);
  });
});

describe("detectMovieLens(folder) on confusing folders", () => {
  it("says a ratings.csv that is a folder is a folder", () => {
    const dir = folderWith({ "movies.csv": lf(MOVIES) });
    mkdirSync(join(dir, "ratings.csv"));
    assert.throws(() => detectMovieLens(dir), new RegExp(`${join(dir, "ratings.csv")} is a folder, not a file`));
  });

  it("uses the CSV pair when a folder also holds the ML-100K pair, and says so", () => {
    const dir = folderWith({ "ratings.csv": lf(RATINGS), "movies.csv": lf(MOVIES), "u.data": "1\t1\t5\t1\n", "u.item": "" });
    const raw = readMovieLens(dir);
    assert.equal(raw.format, "csv");
    assert.deepEqual(raw.warnings, [
      `${dir}: holds ratings.csv + movies.csv and u.data + u.item; using ratings.csv + movies.csv, ignoring u.data + u.item`,
    ]);
  });

  it("reads a complete ML-100K pair beside a stray ratings.csv", () => {
    const dir = folderWith({ "ratings.csv": lf(RATINGS), "u.data": "1\t1\t5\t1\n", "u.item": uItem(1, "Toy Story (1995)", [3]) });
    assert.equal(detectMovieLens(dir).format, "ml-100k");
  });
});
