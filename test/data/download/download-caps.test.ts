// The download caps (issue 23, item 4): a checksum file or a zip that is larger than it can be is
// stopped at the cap, against a real local HTTP server, and what arrived is removed.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { downloadMovieLens, MD5_FILE_CAP, MOVIELENS_NAMES, zipDownloadCap } from "../../../lib/data/download/download";
import { buildZip } from "../../helpers/zip";
import { tempDir } from "../../helpers/temp";

const NAME = "ml-latest-small";
const FAST = { retryDelayMs: 10, timeoutMs: 2000 };
const CAP = zipDownloadCap(NAME);
const ZIP = buildZip([
  { name: `${NAME}/ratings.csv`, data: "userId,movieId,rating,timestamp\n1,1,5,1\n" },
  { name: `${NAME}/movies.csv`, data: "movieId,title,genres\n1,A (1999),Drama\n" },
]);
const md5Line = (zip: Buffer): string => `MD5 (${NAME}.zip) = ${createHash("md5").update(zip).digest("hex")}\n`;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A server on 127.0.0.1; `ranges` holds the Range header of each request for the zip. */
async function serve(t: TestContext, routes: Record<string, Handler>): Promise<{ base: string; ranges: (string | undefined)[] }> {
  const ranges: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    if (req.url === `/${NAME}.zip`) ranges.push(req.headers.range);
    const handler = routes[req.url ?? ""];
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, ranges };
}

const send =
  (data: Buffer | string): Handler =>
  (_req, res) =>
    res.writeHead(200, { "Content-Length": Buffer.byteLength(data) }).end(data);

/** No Content-Length and no end: 64 KiB chunks until the client goes away. */
const endless: Handler = (req, res) => {
  res.writeHead(200);
  const chunk = Buffer.alloc(65536, 48);
  const pump = (): void => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once("drain", pump);
  };
  req.socket.on("close", () => res.destroy());
  pump();
};

describe("download caps", () => {
  it("caps every data set's zip at 1.5 times its published size and a checksum file at 4 KiB", () => {
    for (const name of MOVIELENS_NAMES) assert.ok(zipDownloadCap(name) > 500_000, name);
    assert.equal(zipDownloadCap("ml-20m"), Math.ceil(1.5 * 198_702_078));
    assert.equal(MD5_FILE_CAP, 4096);
  });

  it("stops an endless checksum file at the cap with an error naming the URL and the cap", async (t) => {
    const server = await serve(t, { [`/${NAME}.zip.md5`]: endless, [`/${NAME}.zip`]: send(ZIP) });
    const rawDir = tempDir("caps-");
    await assert.rejects(downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir }), (err: Error) => {
      assert.match(err.message, /ml-latest-small\.zip\.md5: the server sent more than the 4096 bytes allowed for a checksum file/);
      return true;
    });
    assert.deepEqual(readdirSync(rawDir), [], "no partial checksum file is left");
    assert.deepEqual(server.ranges, [], "the zip is never asked for");
  });

  it("refuses a checksum file whose Content-Length is over the cap before reading it", async (t) => {
    const server = await serve(t, { [`/${NAME}.zip.md5`]: send(Buffer.alloc(1_000_000, 97)), [`/${NAME}.zip`]: send(ZIP) });
    const rawDir = tempDir("caps-");
    await assert.rejects(downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir }), /announces 1000000 bytes, more than the 4096/);
    assert.deepEqual(readdirSync(rawDir), []);
  });

  it("stops an endless zip at the cap, does not retry, and removes the partial file", async (t) => {
    const server = await serve(t, { [`/${NAME}.zip.md5`]: send(md5Line(ZIP)), [`/${NAME}.zip`]: endless });
    const rawDir = tempDir("caps-");
    await assert.rejects(downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir }), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(`ml-latest-small\\.zip: the server sent more than the ${CAP} bytes allowed for ml-latest-small\\.zip`),
      );
      assert.doesNotMatch(err.message, /kept/);
      return true;
    });
    assert.equal(server.ranges.length, 1);
    assert.deepEqual(readdirSync(rawDir), [], "neither the part nor its note stays");
  });

  it("refuses a zip announced larger than the cap, and removes a kept part that a resume would grow past it", async (t) => {
    const big = Buffer.alloc(CAP + 1, 1);
    const server = await serve(t, { [`/${NAME}.zip.md5`]: send(md5Line(big)), [`/${NAME}.zip`]: send(big) });
    const rawDir = tempDir("caps-");
    // A part left by an earlier run for this URL and md5: resumed, then refused as too big.
    writeFileSync(join(rawDir, `.${NAME}.zip.part`), big.subarray(0, 100));
    writeFileSync(
      join(rawDir, `.${NAME}.zip.part.json`),
      JSON.stringify({ url: `${server.base}${NAME}.zip`, md5: md5Line(big).slice(-33, -1) }),
    );
    await assert.rejects(downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir }), new RegExp(`announces ${CAP + 1} bytes`));
    assert.deepEqual(server.ranges, ["bytes=100-"]);
    assert.equal(existsSync(join(rawDir, `.${NAME}.zip.part`)), false);
    assert.deepEqual(readdirSync(rawDir), []);
  });

  it("discards a leftover part already larger than the cap and downloads from byte 0", async (t) => {
    const server = await serve(t, { [`/${NAME}.zip.md5`]: send(md5Line(ZIP)), [`/${NAME}.zip`]: send(ZIP) });
    const rawDir = tempDir("caps-");
    writeFileSync(join(rawDir, `.${NAME}.zip.part`), Buffer.alloc(CAP + 10));
    writeFileSync(
      join(rawDir, `.${NAME}.zip.part.json`),
      JSON.stringify({ url: `${server.base}${NAME}.zip`, md5: md5Line(ZIP).slice(-33, -1) }),
    );
    const result = await downloadMovieLens(NAME, { ...FAST, baseUrl: server.base, rawDir });
    assert.deepEqual(server.ranges, [undefined]);
    assert.equal(result.zipBytes, ZIP.length);
    assert.deepEqual(readdirSync(rawDir), [NAME]);
  });
});
