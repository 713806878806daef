import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import {
  downloadMovieLens,
  formatProgress,
  MOVIELENS_NAMES,
  parseMd5File,
  parseMovieLensName,
  progressPrinter,
  type DownloadProgress,
} from "../../../lib/data/download/download";
import { Rng } from "../../../lib/core/rng";
import { buildZip } from "../../helpers/zip";
import { tempDir } from "../../helpers/temp";

const NAME = "ml-latest-small";
const FAST = { retryDelayMs: 10, timeoutMs: 2000 };

/** A few hundred KB of CSV, so the transfer arrives in several chunks. */
function ratingsCsv(): string {
  const rng = new Rng(42);
  const lines = ["userId,movieId,rating,timestamp"];
  for (let i = 0; i < 15000; i++)
    lines.push(`${1 + rng.integer(600)},${1 + rng.integer(9000)},${(1 + rng.integer(10)) / 2},${964982703 + rng.integer(1e8)}`);
  return `${lines.join("\n")}\n`;
}
const RATINGS = ratingsCsv();
const MOVIES = "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n";
const GOOD_ZIP = buildZip([
  { name: `${NAME}/`, data: "" },
  { name: `${NAME}/ratings.csv`, data: RATINGS },
  { name: `${NAME}/movies.csv`, data: MOVIES },
]);

const md5 = (data: Buffer): string => createHash("md5").update(data).digest("hex");
const bsdMd5 = (data: Buffer, name = NAME): string => `MD5 (${name}.zip) = ${md5(data)}\n`;

type Handler = (req: IncomingMessage, res: ServerResponse, nth: number) => void;

interface Server {
  base: string;
  /** Every request seen, in order: path and Range header. */
  seen: { path: string; range: string | undefined }[];
  count(path: string): number;
}

/** A server on 127.0.0.1 answering each path with its handler (404 otherwise); closed after the test. */
async function serve(t: TestContext, routes: Record<string, Handler>): Promise<Server> {
  const seen: Server["seen"] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? "";
    const nth = seen.filter((s) => s.path === path).length;
    seen.push({ path, range: req.headers.range });
    const handler = routes[path];
    if (handler) handler(req, res, nth);
    else res.writeHead(404).end("not found");
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}/`, seen, count: (path) => seen.filter((s) => s.path === path).length };
}

function send(data: Buffer | string): Handler {
  return (_req, res) => res.writeHead(200, { "Content-Length": Buffer.byteLength(data) }).end(data);
}

/** Honours `Range: bytes=N-` with a 206, like GroupLens's server. */
function sendRanged(data: Buffer): Handler {
  return (req, res) => {
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (!m) return send(data)(req, res, 0);
    const from = Number(m[1]);
    res.writeHead(206, { "Content-Length": data.length - from, "Content-Range": `bytes ${from}-${data.length - 1}/${data.length}` });
    res.end(data.subarray(from));
  };
}

/** Promises the full body, sends `bytes` of it, then cuts the connection. */
function sendAndDrop(data: Buffer, bytes: number): Handler {
  return (_req, res) => {
    res.writeHead(200, { "Content-Length": data.length });
    res.write(data.subarray(0, bytes), () => res.destroy());
  };
}

function dataset(zip: Buffer, md5Text = bsdMd5(GOOD_ZIP), zipHandler: Handler = sendRanged(zip)): Record<string, Handler> {
  return { [`/${NAME}.zip.md5`]: send(md5Text), [`/${NAME}.zip`]: zipHandler };
}

const tempRawDir = (): string => tempDir("download-");

describe("downloadMovieLens(name, options)", () => {
  it("downloads, verifies and unzips the data set into rawDir/<name>/ with the top folder stripped", async (t) => {
    const server = await serve(t, dataset(GOOD_ZIP));
    const rawDir = tempRawDir();
    const progress: DownloadProgress[] = [];
    const result = await downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir, onProgress: (p) => progress.push(p) });

    const folder = join(rawDir, NAME);
    assert.equal(result.folder, folder);
    assert.equal(result.skipped, false);
    assert.equal(result.zipBytes, GOOD_ZIP.length);
    assert.equal(result.md5, md5(GOOD_ZIP));
    assert.deepEqual(result.files, ["movies.csv", "ratings.csv"]);
    assert.equal(readFileSync(join(folder, "ratings.csv"), "utf8"), RATINGS);
    assert.equal(readFileSync(join(folder, "movies.csv"), "utf8"), MOVIES);
    const meta = JSON.parse(readFileSync(join(folder, ".download.json"), "utf8")) as Record<string, unknown>;
    assert.deepEqual(
      { ...meta, downloaded: typeof meta.downloaded },
      { name: NAME, url: `${server.base}${NAME}.zip`, md5: md5(GOOD_ZIP), zipBytes: GOOD_ZIP.length, downloaded: "string" },
    );
    assert.deepEqual(readdirSync(rawDir), [NAME], "no .part or temp folder left");

    assert.ok(progress.length >= 2, `several progress calls, got ${progress.length}`);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].receivedBytes > progress[i - 1].receivedBytes);
    assert.deepEqual(
      { ...progress[progress.length - 1], bytesPerSecond: 0, etaSeconds: 0 },
      { name: `${NAME}.zip`, receivedBytes: GOOD_ZIP.length, totalBytes: GOOD_ZIP.length, bytesPerSecond: 0, etaSeconds: 0, attempt: 1 },
    );
  });

  it("skips a data set that is already there without contacting the server, and downloads it again with force", async (t) => {
    const server = await serve(t, dataset(GOOD_ZIP));
    const rawDir = tempRawDir();
    await downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir });
    const requests = server.seen.length;

    const again = await downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir });
    assert.equal(server.seen.length, requests, "no request for a skipped download");
    assert.deepEqual(
      { skipped: again.skipped, files: again.files, md5: again.md5, zipBytes: again.zipBytes },
      { skipped: true, files: ["movies.csv", "ratings.csv"], md5: md5(GOOD_ZIP), zipBytes: GOOD_ZIP.length },
    );

    const forced = await downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir, force: true });
    assert.equal(forced.skipped, false);
    assert.equal(server.seen.length, 2 * requests);
    assert.deepEqual(readdirSync(rawDir), [NAME]);
  });

  it("resumes with a Range request after the connection drops", async (t) => {
    const half = Math.floor(GOOD_ZIP.length / 2);
    const ranged = sendRanged(GOOD_ZIP);
    const server = await serve(
      t,
      dataset(GOOD_ZIP, undefined, (req, res, nth) => (nth === 0 ? sendAndDrop(GOOD_ZIP, half)(req, res, nth) : ranged(req, res, nth))),
    );
    const rawDir = tempRawDir();
    const attempts: number[] = [];
    const result = await downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir, onProgress: (p) => attempts.push(p.attempt) });

    assert.deepEqual(
      server.seen.filter((s) => s.path === `/${NAME}.zip`).map((s) => s.range),
      [undefined, `bytes=${half}-`],
    );
    assert.equal(result.md5, md5(GOOD_ZIP));
    assert.equal(readFileSync(join(rawDir, NAME, "ratings.csv"), "utf8"), RATINGS);
    assert.equal(attempts[attempts.length - 1], 2);
    assert.deepEqual(readdirSync(rawDir), [NAME]);
  });

  it("starts over from byte 0 when the server answers the Range request with a 200", async (t) => {
    const server = await serve(
      t,
      dataset(GOOD_ZIP, undefined, (req, res, nth) => (nth === 0 ? sendAndDrop(GOOD_ZIP, 1000) : send(GOOD_ZIP))(req, res, nth)),
    );
    const rawDir = tempRawDir();
    const result = await downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir });
    assert.equal(server.seen[server.seen.length - 1].range, "bytes=1000-");
    assert.equal(result.md5, md5(GOOD_ZIP));
    assert.equal(readFileSync(join(rawDir, NAME, "ratings.csv"), "utf8"), RATINGS);
  });

  it("retries with a Range request when the connection goes quiet for timeoutMs", async (t) => {
    const ranged = sendRanged(GOOD_ZIP);
    const server = await serve(
      t,
      dataset(GOOD_ZIP, undefined, (req, res, nth) => {
        if (nth > 0) return ranged(req, res, nth);
        res.writeHead(200, { "Content-Length": GOOD_ZIP.length });
        res.write(GOOD_ZIP.subarray(0, 500)); // and then nothing
      }),
    );
    const rawDir = tempRawDir();
    const result = await downloadMovieLens(NAME, { ...FAST, timeoutMs: 100, baseUrl: server.base, rawDir });
    assert.equal(server.seen[server.seen.length - 1].range, "bytes=500-");
    assert.equal(result.md5, md5(GOOD_ZIP));
  });

  it("gives up after `retries` extra attempts with an error naming the URL, the bytes received and the last cause", async (t) => {
    const server = await serve(t, dataset(GOOD_ZIP, undefined, sendAndDrop(GOOD_ZIP, 100)));
    const rawDir = tempRawDir();
    const url = `${server.base}${NAME}.zip`;
    await assert.rejects(downloadMovieLens(NAME, { ...FAST, retries: 2, baseUrl: server.base, rawDir }), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(`^${url.replace(/\./g, "\\.")}: gave up after 3 attempts with 100 bytes received; last error: \\S`),
      );
      return true;
    });
    assert.equal(server.count(`/${NAME}.zip`), 3);
    // The 100 bytes stay (with a note of the URL and md5) for the next run to resume.
    assert.deepEqual(readdirSync(rawDir).sort(), [`.${NAME}.zip.part`, `.${NAME}.zip.part.json`]);
  });

  it("resumes in the next run what a failed run received, with a Range request, and discards a part of another file", async (t) => {
    const half = Math.floor(GOOD_ZIP.length / 2);
    let ranges: string[] = [];
    const ranged = sendRanged(GOOD_ZIP);
    const server = await serve(
      t,
      dataset(GOOD_ZIP, undefined, (req, res, nth) => {
        ranges.push(String(req.headers.range ?? ""));
        return (nth < 2 ? sendAndDrop(GOOD_ZIP, half) : ranged)(req, res, nth);
      }),
    );
    const rawDir = tempRawDir();
    await assert.rejects(
      downloadMovieLens(NAME, { ...FAST, retries: 0, baseUrl: server.base, rawDir }),
      /bytes received are kept and the next run resumes/,
    );
    assert.deepEqual(ranges, [""]);
    await assert.rejects(downloadMovieLens(NAME, { ...FAST, retries: 0, baseUrl: server.base, rawDir }));
    assert.deepEqual(ranges, ["", `bytes=${half}-`], "the second run resumes from the kept bytes");
    ranges = [];
    const result = await downloadMovieLens(NAME, { ...FAST, retries: 0, baseUrl: server.base, rawDir });
    assert.deepEqual(ranges, [`bytes=${half}-`]);
    assert.equal(result.md5, md5(GOOD_ZIP));
    assert.deepEqual(readdirSync(rawDir), [NAME], "the part and its note are gone after success");
    // A part recorded for another URL is not resumed.
    const other = tempRawDir();
    writeFileSync(join(other, `.${NAME}.zip.part`), "stale bytes");
    writeFileSync(join(other, `.${NAME}.zip.part.json`), JSON.stringify({ url: "http://elsewhere/x.zip", md5: md5(GOOD_ZIP) }));
    ranges = [];
    await downloadMovieLens(NAME, { ...FAST, retries: 0, baseUrl: server.base, rawDir: other });
    assert.deepEqual(ranges, [""]);
  });

  it("sweeps the extraction folder a killed run left behind", async (t) => {
    const server = await serve(t, dataset(GOOD_ZIP));
    const rawDir = tempRawDir();
    mkdirSync(join(rawDir, `.${NAME}.tmp-4200001-1`));
    writeFileSync(join(rawDir, `.${NAME}.tmp-4200001-1`, "ratings.csv"), "half");
    await downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir });
    assert.deepEqual(readdirSync(rawDir), [NAME]);
  });

  it("follows redirects for the checksum and the zip", async (t) => {
    const redirect =
      (to: string, status: number): Handler =>
      (_req, res) =>
        res.writeHead(status, { Location: to }).end();
    const server = await serve(t, {
      [`/${NAME}.zip.md5`]: redirect(`/mirror/${NAME}.zip.md5`, 301),
      [`/${NAME}.zip`]: redirect(`/mirror/${NAME}.zip`, 302),
      [`/mirror/${NAME}.zip.md5`]: send(bsdMd5(GOOD_ZIP)),
      [`/mirror/${NAME}.zip`]: redirect(`/mirror2/${NAME}.zip`, 307),
      [`/mirror2/${NAME}.zip`]: send(GOOD_ZIP),
    });
    const result = await downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir: tempRawDir() });
    assert.deepEqual(result.files, ["movies.csv", "ratings.csv"]);
  });

  it("deletes the download and reports an md5 mismatch when the body was corrupted in transit", async (t) => {
    const bad = Buffer.from(GOOD_ZIP);
    for (const i of [40, 41, 42]) bad[i] ^= 0xff;
    const server = await serve(t, dataset(bad));
    const rawDir = tempRawDir();
    await assert.rejects(
      downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir }),
      new Error(
        `${NAME}.zip: md5 mismatch (expected ${md5(GOOD_ZIP)}, got ${md5(bad)}); the download ` +
          `was corrupted or the checksum file is wrong. Nothing was kept; run the command again.`,
      ),
    );
    assert.deepEqual(readdirSync(rawDir), []);
  });

  it("reports the same md5 mismatch when the checksum file is wrong", async (t) => {
    const wrong = "0123456789abcdef0123456789abcdef";
    const server = await serve(t, dataset(GOOD_ZIP, `MD5 (${NAME}.zip) = ${wrong}\n`));
    const rawDir = tempRawDir();
    await assert.rejects(
      downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir }),
      new Error(
        `${NAME}.zip: md5 mismatch (expected ${wrong}, got ${md5(GOOD_ZIP)}); the download ` +
          `was corrupted or the checksum file is wrong. Nothing was kept; run the command again.`,
      ),
    );
    assert.deepEqual(readdirSync(rawDir), []);
  });

  for (const evil of ["../evil.txt", "/abs.txt", "..\\evil.txt", `${NAME}/../../evil.txt`]) {
    it(`refuses a zip with the entry ${JSON.stringify(evil)}, naming it and keeping nothing`, async (t) => {
      const zip = buildZip([
        { name: `${NAME}/ratings.csv`, data: RATINGS },
        { name: evil, data: "pwned" },
      ]);
      const server = await serve(t, dataset(zip, bsdMd5(zip)));
      const parent = tempRawDir();
      const rawDir = join(parent, "raw");
      await assert.rejects(downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir }), (err: Error) => {
        assert.ok(err.message.includes(`refusing entry "${evil}"`), err.message);
        assert.ok(err.message.includes(`.${NAME}.zip.part`), `names the zip: ${err.message}`);
        return true;
      });
      assert.deepEqual(readdirSync(parent), ["raw"]);
      assert.deepEqual(readdirSync(rawDir), []);
    });
  }

  it("fails at once on a 404 for the zip, naming the status and the URL", async (t) => {
    const server = await serve(t, { [`/${NAME}.zip.md5`]: send(bsdMd5(GOOD_ZIP)) });
    const rawDir = tempRawDir();
    await assert.rejects(
      downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir }),
      new Error(`HTTP 404 Not Found for ${server.base}${NAME}.zip`),
    );
    assert.equal(server.count(`/${NAME}.zip`), 1);
    assert.deepEqual(readdirSync(rawDir), []);
  });

  it("keeps nothing when the zip is unreadable or an entry fails its CRC, naming the zip and the entry", async (t) => {
    const badCrc = Buffer.from(GOOD_ZIP);
    const central = badCrc.lastIndexOf(Buffer.from(`${NAME}/movies.csv`)) - 46; // the central directory record
    badCrc.writeUInt32LE((badCrc.readUInt32LE(central + 16) ^ 1) >>> 0, central + 16);
    const notZip = Buffer.from("this is not a zip file");
    for (const [zip, pattern] of [
      [notZip, /\.ml-latest-small\.zip\.part: .*central directory/],
      [badCrc, /\.ml-latest-small\.zip\.part: entry "ml-latest-small\/movies\.csv": CRC mismatch/],
    ] as const) {
      const server = await serve(t, dataset(zip, bsdMd5(zip)));
      const rawDir = tempRawDir();
      await assert.rejects(downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir }), pattern);
      assert.deepEqual(readdirSync(rawDir), []);
    }
  });

  it("names a folder that stands where the resume note goes, and its cleanup does not hide that error", async (t) => {
    const server = await serve(t, dataset(GOOD_ZIP));
    const rawDir = tempRawDir();
    const note = join(rawDir, `.${NAME}.zip.part.json`);
    mkdirSync(note);
    await assert.rejects(downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir }), {
      message: `${note}: is a folder, expected a file`,
    });
  });

  it("stops at once, naming the part file, when the disk is full (the part written to /dev/full)", async (t) => {
    const server = await serve(t, dataset(GOOD_ZIP));
    const rawDir = tempRawDir();
    const part = join(rawDir, `.${NAME}.zip.part`);
    symlinkSync("/dev/full", part);
    writeFileSync(`${part}.json`, JSON.stringify({ url: `${server.base}${NAME}.zip`, md5: md5(GOOD_ZIP) }));
    await assert.rejects(downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir }), {
      message: `${part}: no space left on the device; free some space and run the command again`,
    });
    assert.equal(server.count(`/${NAME}.zip`), 1, "no retry");
  });

  it("rejects an unknown data set name before any download", async () => {
    await assert.rejects(
      downloadMovieLens("ml-30m", { rawDir: tempRawDir() }),
      new Error(`unknown MovieLens data set "ml-30m"; known: ${MOVIELENS_NAMES.join(", ")}`),
    );
  });
});

describe("parseMovieLensName(name)", () => {
  it("returns the known names and lists them when the name is unknown", () => {
    for (const name of MOVIELENS_NAMES) assert.equal(parseMovieLensName(name), name);
    assert.throws(
      () => parseMovieLensName("ML-20M"),
      /unknown MovieLens data set "ML-20M"; known: ml-latest-small, ml-100k, ml-1m, ml-20m, ml-25m$/,
    );
  });
});

describe("parseMd5File(text, fileName)", () => {
  const hex = "cd245b17a1ae2cc31bb14903e1204af3";
  it("reads the BSD, GNU and bare formats", () => {
    assert.equal(parseMd5File(`MD5 (ml-20m.zip) = ${hex}\n`, "ml-20m.zip"), hex);
    assert.equal(parseMd5File(`${hex}  ml-20m.zip\n`, "ml-20m.zip"), hex);
    assert.equal(parseMd5File(`${hex.toUpperCase()} *ml-20m.zip`), hex);
    assert.equal(parseMd5File(`  ${hex}\n`, "ml-20m.zip"), hex);
  });
  it("throws naming the content when it is not a checksum, or the file it names", () => {
    assert.throws(() => parseMd5File("<html>Not Found</html>"), /not an md5 checksum file: "<html>Not Found<\/html>"/);
    assert.throws(() => parseMd5File(`MD5 (ml-1m.zip) = ${hex}`, "ml-20m.zip"), /the md5 checksum is for "ml-1m.zip", not "ml-20m.zip"/);
  });
});

describe("formatProgress(p)", () => {
  const p: DownloadProgress = {
    name: "ml-20m.zip",
    receivedBytes: 86.0e6,
    totalBytes: 190.2e6,
    bytesPerSecond: 5.3e6,
    etaSeconds: 18.9,
    attempt: 1,
  };
  it("shows percent, sizes, speed and ETA when the total is known", () => {
    assert.equal(formatProgress(p), "ml-20m.zip  45.2%  86.0/190.2 MB  5.3 MB/s  ETA 19 s");
    assert.equal(
      formatProgress({ ...p, etaSeconds: 125, attempt: 2 }),
      "ml-20m.zip  45.2%  86.0/190.2 MB  5.3 MB/s  ETA 2 min 5 s  (attempt 2)",
    );
  });
  it("shows only the bytes and speed when the total is unknown", () => {
    assert.equal(formatProgress({ ...p, totalBytes: null, etaSeconds: null }), "ml-20m.zip  86.0 MB  5.3 MB/s");
  });
});

describe("progressPrinter(stream)", () => {
  const fakeStream = (isTTY: boolean): { stream: NodeJS.WriteStream; out: string[] } => {
    const out: string[] = [];
    return { stream: { isTTY, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream, out };
  };
  const at = (receivedBytes: number): DownloadProgress => ({
    name: "x.zip",
    receivedBytes,
    totalBytes: 100,
    bytesPerSecond: 1e6,
    etaSeconds: 1,
    attempt: 1,
  });
  it("prints whole lines, throttled, and always the last one when the stream is not a TTY", () => {
    const { stream, out } = fakeStream(false);
    const print = progressPrinter(stream);
    for (const n of [10, 20, 30, 100]) print(at(n));
    assert.deepEqual(out, [`${formatProgress(at(10))}\n`, `${formatProgress(at(100))}\n`]);
  });
  it("redraws one line with \\r on a TTY and ends it with a newline", () => {
    const { stream, out } = fakeStream(true);
    const print = progressPrinter(stream);
    print(at(10));
    print(at(100));
    assert.deepEqual(out, [`\r${formatProgress(at(10))}\x1b[K`, `\r${formatProgress(at(100))}\x1b[K\n`]);
  });
});
