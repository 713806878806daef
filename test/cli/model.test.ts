import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../helpers/temp";

const ROOT = join(__dirname, "..", "..");
const DATA = tempDir("cli-model-");
const env = { ...process.env, CVAE_DATA_DIR: DATA };

function cvae(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(ROOT, "bin", "cvae.js"), ...args], { env, encoding: "utf8" });
}

describe("cvae train / evaluate / recommend", () => {
  const tiny = ["--dataset", "synthetic-tiny", "--hidden", "32", "--latent", "8", "--workers", "0"];

  it("cvae train stops cleanly on SIGINT with exit code 130, saves, and a second run resumes to the end", async () => {
    assert.equal(cvae(["data", "prepare", "synthetic-tiny"]).status, 0);
    const child = spawn(process.execPath, [join(ROOT, "bin", "cvae.js"), "train", ...tiny, "--epochs", "40", "--batch-size", "64"], {
      env,
    });
    let out = "";
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
      // Interrupt once the first epoch has finished (its line is on stderr).
      if (/epoch 1\/40/.test(out) && !child.killed) child.kill("SIGINT");
    });
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 130, out);
    assert.match(out, /interrupted/);
    const ck = JSON.parse(readFileSync(join(DATA, "models", "cvae-synthetic-tiny", "checkpoint.json"), "utf8"));
    assert.equal(ck.position.finished, false);
    assert.ok(ck.position.epoch >= 1);
    const resumed = cvae(["train", ...tiny, "--epochs", "3", "--batch-size", "64", "--json"]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming .*cvae-synthetic-tiny after epoch \d+/);
    const result = JSON.parse(resumed.stdout);
    assert.ok(result.test["C-VAE"].unconditioned.ndcg100 > 0);
  });

  it("cvae train --dataset takes a data set folder as its processed name, and a missing folder fails saying so", () => {
    const folder = join(DATA, "raw", "synthetic-tiny");
    const args = ["train", "--dataset", folder, "--hidden", "16", "--latent", "4", "--workers", "0", "--epochs", "1"];
    const r = cvae([...args, "--run", "from-folder", "--json"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).config.dataset, "synthetic-tiny");
    const missing = cvae(["train", "--dataset", "../no-such-set", "--run", "r"]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /data set \.\.\/no-such-set: .*no-such-set: no such folder/);
    assert.doesNotMatch(missing.stderr, /data prepare/, "no prepare command: the folder is not there");
  });

  it("cvae evaluate and recommend use the trained run, recommend under a header naming user and condition; bad names fail clearly", () => {
    const ev = cvae(["evaluate", "--dataset", "synthetic-tiny", "--json"]);
    assert.equal(ev.status, 0, ev.stderr);
    const parsed = JSON.parse(ev.stdout);
    assert.ok(parsed.results.popularity.unconditioned.ndcg100 > 0);
    const text = cvae(["evaluate", "--dataset", "synthetic-tiny"]);
    assert.match(text.stdout, /conditioned \(genre rows\)/);
    assert.match(
      text.stdout,
      /per genre \(conditioned rows\)\ngenre +rows +C-VAE nDCG@100 +popularity nDCG@100\nDrama +\d+ +0\.\d{4} +0\.\d{4}/,
    );
    const user = String(cvaeTestUser());
    const rec = cvae(["recommend", "--dataset", "synthetic-tiny", "--user", user, "--genre", "Drama", "--n", "5"]);
    assert.equal(rec.status, 0, rec.stderr);
    assert.match(rec.stdout, /share of the list in Drama: \d+ %/);
    const header = (under: string) =>
      new RegExp(`^top 5 for user ${user} of the test split \\(fold-in history: \\d+ movies\\)${under}, by cvae-synthetic-tiny\n  1\\. `);
    assert.match(rec.stdout, header(" under genre Drama"), "the list starts with a header naming the user and the condition");
    const plain = cvae(["recommend", "--dataset", "synthetic-tiny", "--user", user, "--n", "5"]);
    assert.match(plain.stdout, header(", no condition"));
    const bad = cvae(["recommend", "--dataset", "synthetic-tiny", "--user", user, "--genre", "Dramaa"]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown genre "Dramaa"; genres of "synthetic-tiny": /);
    const none = cvae(["evaluate", "--dataset", "synthetic-tiny", "--run", "nope"]);
    assert.match(none.stderr, /no checkpoint at .*nope/);
    assert.equal(existsSync(join(DATA, "models", "nope")), false);
  });

  it("cvae train on a finished run without its flags says it is finished (not wrong-size weights); --restart retrains it as stored", () => {
    // cvae-synthetic-tiny: 3 epochs of hidden 32, latent 8, batches of 64 (the first test).
    const again = cvae(["train", "--dataset", "synthetic-tiny"]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /cvae-synthetic-tiny holds a finished run \(3 epochs, best epoch \d, saved [^;)]+\); train with restart/);
    assert.doesNotMatch(again.stderr, /corrupt/);
    const more = cvae(["train", "--dataset", "synthetic-tiny", "--epochs", "4"]);
    assert.match(more.stderr, /holds a finished run \(3 epochs, .*; asked now: epochs: 3 there, 4 now\)/);
    const restarted = cvae(["train", "--dataset", "synthetic-tiny", "--restart", "--epochs", "1", "--json"]);
    assert.equal(restarted.status, 0, restarted.stderr);
    assert.match(restarted.stderr, /restarting the run cvae-synthetic-tiny from its stored config \(flags given override it\)/);
    const c = JSON.parse(restarted.stdout).config;
    assert.deepEqual([c.hidden, c.latent, c.batchSize, c.workers, c.epochs], [32, 8, 64, 0, 1]);
  });

  it("cvae train over a damaged checkpoint.json fails naming it and both ways out; --restart trains from the defaults, saying why", () => {
    const path = join(DATA, "models", "cvae-synthetic-tiny", "checkpoint.json");
    writeFileSync(path, "{ half");
    const damaged = cvae(["train", "--dataset", "synthetic-tiny"]);
    assert.equal(damaged.status, 1);
    assert.match(
      damaged.stderr,
      /checkpoint\.json: not valid JSON .*restore checkpoint\.json, or train the run again \(cvae train --restart\)/,
    );
    assert.equal(readFileSync(path, "utf8"), "{ half", "nothing was replaced");
    const args = ["--hidden", "16", "--latent", "4", "--epochs", "1", "--workers", "0", "--json"];
    const restarted = cvae(["train", "--dataset", "synthetic-tiny", "--restart", ...args]);
    assert.equal(restarted.status, 0, restarted.stderr);
    assert.match(
      restarted.stderr,
      /note: the run's stored config is unreadable, so --restart trains from the defaults and the flags given/,
    );
    assert.deepEqual([JSON.parse(restarted.stdout).config.hidden, JSON.parse(restarted.stdout).config.batchSize], [16, 500]);
  });
});

/** The first test user of synthetic-tiny, read from the processed data set. */
function cvaeTestUser(): number {
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      'const { loadProcessed } = require("./lib/data/store.ts"); console.log(loadProcessed("synthetic-tiny").test.userIds[0]);',
    ],
    { cwd: ROOT, env, encoding: "utf8" },
  );
  return Number(r.stdout.trim());
}
