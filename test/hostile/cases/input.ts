// Hostile cases of class 9 bounded input and 11 operating-system errors (issue 23, items 4 and 7).
// The corpus server sends each body with its true Content-Length, so an endless stream (no length)
// is covered by test/data/download/download-caps.test.ts; here the caps meet bodies that are too long.
// FIFOs are made with mkfifo and sockets by a process that exits while listening (the file stays).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildZip } from "../../helpers/zip";
import { type Case, modelDir, movieLensFolder, processed, type Sandbox, tiny, tinyModel } from "../corpus";

const INPUT = "9 bounded input";
const OS = "11 operating-system errors";
/** 1.5 times the published 978,202 bytes of ml-latest-small.zip (lib/data/download/download.ts). */
const SMALL_ZIP_CAP = Math.ceil(1.5 * 978_202);

const mkfifo = (path: string): void => {
  rmSync(path, { force: true });
  execFileSync("mkfifo", [path]);
};

/** A unix socket file at `path`, left by a process that exits while listening. */
function socketFile(path: string): void {
  rmSync(path, { force: true });
  execFileSync(process.execPath, ["-e", 'require("net").createServer().listen(process.argv[1], () => process.exit(0))', path]);
}

// The corpus imports this file, so its helpers are used inside cases only, never at load time.
const md5 = (b: Buffer): string => createHash("md5").update(b).digest("hex");

/** ratings.csv and movies.csv of a small MovieLens set that data prepare accepts (the corpus's movieLensFolder, written out here). */
function smallSet(): { ratings: Buffer; movies: Buffer } {
  const lines = ["userId,movieId,rating,timestamp"];
  for (let u = 1; u <= 40; u++) for (let k = 0; k < 12; k++) lines.push(`${u},${1 + ((u * 7 + k * 3) % 20)},5,${1000 + k}`);
  const movies = ["movieId,title,genres", ...Array.from({ length: 20 }, (_, i) => `${i + 1},Movie ${i + 1} (1999),Drama`)];
  return { ratings: Buffer.from(`${lines.join("\n")}\n`), movies: Buffer.from(`${movies.join("\n")}\n`) };
}

/** The corpus server's routes for a zip and its checksum file. */
function routes(zip: Buffer, md5Body?: Buffer): Case["serve"] {
  return {
    "/ml-latest-small.zip.md5": md5Body ?? Buffer.from(`MD5 (ml-latest-small.zip) = ${md5(zip)}\n`),
    "/ml-latest-small.zip": () => ({ status: 200, body: zip }),
  };
}

/** null when data/raw holds no download leftovers (parts, notes, temp folders) and no ml-latest-small. */
function rawClean(s: Sandbox): string | null {
  const left = readdirSync(join(s.data, "raw")).filter((f) => f.includes("ml-latest-small"));
  return left.length ? `left in data/raw: ${left.join(", ")}` : null;
}

const download = (s: Sandbox) => ["data", "download", "ml-latest-small", "--base-url", s.server];

/** Zips with two spellings of one entry, made by a case's setup (the server's routes are fixed before it). */
function duplicateZip(id: string, title: string, spell: (name: string) => string): Case {
  const entries = (): { name: string; data: Buffer }[] => {
    const set = smallSet();
    return [
      { name: "ml-latest-small/ratings.csv", data: set.ratings },
      { name: "ml-latest-small/movies.csv", data: set.movies },
      { name: spell("ml-latest-small/ratings.csv"), data: Buffer.from("userId,movieId,rating,timestamp\n1,1,1,1\n") },
    ];
  };
  return {
    id,
    group: INPUT,
    title,
    serve: routes(buildZip(entries())),
    argv: download,
    expect: "error",
    names: /appears twice in the zip/,
    check: rawClean,
  };
}

export const INPUT_CASES: Case[] = [
  // 9. Bounded input
  {
    id: "9.1",
    group: INPUT,
    title: "a checksum file of 1 MB",
    serve: routes(Buffer.alloc(10), Buffer.alloc(1_000_000, 97)),
    argv: download,
    expect: "error",
    names: /ml-latest-small\.zip\.md5: .*more than the 4096 bytes allowed for a checksum file/,
    check: rawClean,
  },
  {
    id: "9.2",
    group: INPUT,
    title: "a zip one byte over its cap (1.5 times the published size), with a matching checksum",
    serve: routes(Buffer.alloc(SMALL_ZIP_CAP + 1, 7)),
    argv: download,
    expect: "error",
    names: new RegExp(`ml-latest-small\\.zip: .*more than the ${SMALL_ZIP_CAP} bytes allowed`),
    check: rawClean,
  },
  {
    id: "9.3",
    group: INPUT,
    title: "a kept part that the server's resumed answer would grow past the cap",
    serve: {
      "/ml-latest-small.zip.md5": Buffer.from(`MD5 (ml-latest-small.zip) = ${"ab".repeat(16)}\n`),
      "/ml-latest-small.zip": () => ({
        status: 206,
        body: Buffer.alloc(1000),
        headers: { "content-range": `bytes 500-1499/${SMALL_ZIP_CAP * 4}` },
      }),
    },
    setup: (s) => {
      writeFileSync(join(s.data, "raw", ".ml-latest-small.zip.part"), Buffer.alloc(500));
      writeFileSync(
        join(s.data, "raw", ".ml-latest-small.zip.part.json"),
        JSON.stringify({ url: `${s.server}ml-latest-small.zip`, md5: "ab".repeat(16) }),
      );
    },
    argv: download,
    expect: "error",
    names: /announces \d+ bytes, more than the \d+ bytes allowed for ml-latest-small\.zip/,
    check: rawClean,
  },
  duplicateZip("9.4", "a zip holding ./ml-latest-small/ratings.csv and ml-latest-small/ratings.csv", (n) => `./${n}`),
  duplicateZip("9.5", "a zip holding ml-latest-small//ratings.csv and ml-latest-small/ratings.csv", (n) => n.replace("/", "//")),
  duplicateZip("9.6", "a zip holding ml-latest-small/./ratings.csv and ml-latest-small/ratings.csv", (n) => n.replace("/", "/./")),
  {
    id: "9.7",
    group: INPUT,
    title: "data prepare on a folder whose ratings.csv is a FIFO",
    setup: (s) => mkfifo(join(movieLensFolder(join(s.work, "fifo")), "ratings.csv")),
    argv: () => ["data", "prepare", "./fifo"],
    expect: "error",
    names: /ratings\.csv: is a named pipe \(FIFO\)/,
    timeoutSeconds: 30,
  },
  {
    id: "9.8",
    group: INPUT,
    title: "train --config /dev/zero",
    argv: () => ["train", ...tinyModel, "--run", "z", "--config", "/dev/zero"],
    expect: "error",
    names: /--config \/dev\/zero: is a character device/,
    check: (s) => (existsSync(modelDir(s, "z")) ? "a run folder was made" : null),
    timeoutSeconds: 30,
  },
  {
    id: "9.9",
    group: INPUT,
    title: "data prepare on a folder whose movies.csv is a socket",
    setup: (s) => socketFile(join(movieLensFolder(join(s.work, "sock")), "movies.csv")),
    argv: () => ["data", "prepare", "./sock"],
    expect: "error",
    names: /movies\.csv: is a socket/,
    timeoutSeconds: 30,
  },
  {
    id: "9.10",
    group: INPUT,
    title: "data prepare on a folder whose ratings.csv links to /dev/urandom",
    setup: (s) => {
      const dir = movieLensFolder(join(s.work, "urandom"));
      rmSync(join(dir, "ratings.csv"));
      symlinkSync("/dev/urandom", join(dir, "ratings.csv"));
    },
    argv: () => ["data", "prepare", "./urandom"],
    expect: "error",
    names: /ratings\.csv: is a character device/,
    timeoutSeconds: 30,
  },
  {
    id: "9.11",
    group: INPUT,
    title: "training on a processed set whose arrays.bin is a FIFO",
    setup: (s) => mkfifo(join(processed(s), "arrays.bin")),
    argv: () => ["train", ...tinyModel, "--run", "f"],
    expect: "error",
    names: /arrays\.bin: is a named pipe \(FIFO\)/,
    timeoutSeconds: 30,
  },
  {
    id: "9.12",
    group: INPUT,
    title: "evaluate a run whose checkpoint.json is a FIFO",
    setup: (s) => mkfifo(join(modelDir(s), "checkpoint.json")),
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /checkpoint\.json: is a named pipe \(FIFO\)/,
    timeoutSeconds: 30,
  },
  {
    id: "9.13",
    group: INPUT,
    title: "notebooks clean on a FIFO named like a notebook",
    setup: (s) => mkfifo(join(s.work, "nb.ipynb")),
    argv: () => ["notebooks", "clean", "./nb.ipynb"],
    expect: "error",
    names: /nb\.ipynb: is a named pipe \(FIFO\)/,
    timeoutSeconds: 30,
  },

  // 11. Operating-system errors
  {
    id: "11.1",
    group: OS,
    title: "train --config some/dir (a folder)",
    setup: (s) => mkdirSync(join(s.work, "some", "dir"), { recursive: true }),
    argv: () => ["train", ...tinyModel, "--run", "c", "--config", "some/dir"],
    expect: "error",
    names: /--config some\/dir: is a folder, expected a JSON file/,
  },
  {
    id: "11.2",
    group: OS,
    title: "data/models is a file when a new run is trained",
    setup: (s) => {
      rmSync(join(s.data, "models"), { recursive: true });
      writeFileSync(join(s.data, "models"), "not a folder");
    },
    argv: () => ["train", ...tinyModel, "--run", "new"],
    expect: "error",
    names: /models\b.*(is a file|not a folder)/,
  },
  {
    id: "11.3",
    group: OS,
    title: "data/processed is a file when a set is prepared",
    setup: (s) => {
      movieLensFolder(join(s.work, "ml"));
      rmSync(join(s.data, "processed"), { recursive: true });
      writeFileSync(join(s.data, "processed"), "not a folder");
    },
    argv: () => ["data", "prepare", "./ml"],
    expect: "error",
    names: /processed\b.*(is a file|not a folder)/,
  },
  {
    id: "11.4",
    group: OS,
    title: "reproduce --out naming a file",
    setup: (s) => writeFileSync(join(s.work, "reports"), "a file"),
    argv: () => ["reproduce", "--out", "reports"],
    expect: "error",
    names: /--out reports: is a file, expected a folder/,
    check: (s) => (readFileSync(join(s.work, "reports"), "utf8") === "a file" ? null : "the file was changed"),
  },
  {
    id: "11.5",
    group: OS,
    title: "data prepare on a folder whose ratings.csv is a folder",
    setup: (s) => {
      const dir = movieLensFolder(join(s.work, "dirs"));
      rmSync(join(dir, "ratings.csv"));
      mkdirSync(join(dir, "ratings.csv"));
    },
    argv: () => ["data", "prepare", "./dirs"],
    expect: "error",
    names: /ratings\.csv is a folder|ratings\.csv: is a folder/,
  },
  {
    id: "11.6",
    group: OS,
    title: "data download when its resume note (.ml-latest-small.zip.part.json) is a folder",
    serve: routes(Buffer.alloc(10)),
    setup: (s) => {
      writeFileSync(join(s.data, "raw", ".ml-latest-small.zip.part"), "x");
      mkdirSync(join(s.data, "raw", ".ml-latest-small.zip.part.json"));
    },
    argv: download,
    expect: "error",
    names: /ml-latest-small\.zip\.part\.json: is a folder/,
  },
  {
    id: "11.7",
    group: OS,
    title: "evaluate when the run's state files are folders",
    setup: (s) => {
      for (const f of readdirSync(modelDir(s)).filter((n) => n.endsWith(".bin"))) {
        rmSync(join(modelDir(s), f));
        mkdirSync(join(modelDir(s), f));
      }
    },
    argv: () => ["evaluate", ...tiny, "--run", "tinym"],
    expect: "error",
    names: /\.bin: is a folder/,
  },
];
