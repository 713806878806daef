import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadBlas } from "../../lib/model/blas";
import { parseBackendChoice } from "../../lib/model/backend";

const PROBE = join(__dirname, "..", "fixtures", "backend-probe.ts");

function probe(env: Record<string, string>): { status: number | null; stdout: string; result?: Record<string, unknown>; error?: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", PROBE], { env: { ...process.env, ...env }, encoding: "utf8" });
  const resultLine = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  const errorLine = r.stdout.split("\n").find((l) => l.startsWith("ERROR "));
  return {
    status: r.status,
    stdout: r.stdout,
    result: resultLine ? JSON.parse(resultLine.slice(7)) : undefined,
    error: errorLine?.slice(6),
  };
}

function nativeInstalled(): boolean {
  try {
    require.resolve("tfjs-node-native");
    return true;
  } catch {
    return false;
  }
}

describe("initBackend()", () => {
  it("picks native TensorFlow when installed, else wasm with SIMD, and prints the choice once", () => {
    const r = probe({ CVAE_BACKEND: "" });
    assert.equal(r.status, 0, r.stdout);
    if (nativeInstalled()) {
      assert.equal(r.result?.name, "tensorflow");
    } else {
      assert.equal(r.result?.name, "wasm");
      assert.equal(r.result?.simd, true);
      assert.equal(r.result?.threads, 1);
      assert.deepEqual(r.result?.skipped, ["@tensorflow/tfjs-node-gpu: not installed", "tfjs-node-native: not installed"]);
    }
    assert.equal(r.stdout.split("\n").filter((l) => l.startsWith("tfjs ")).length, 1);
  });

  it("CVAE_BACKEND=cpu forces the pure-JS backend", () => {
    assert.equal(probe({ CVAE_BACKEND: "cpu" }).result?.name, "cpu");
  });

  it("CVAE_BACKEND=blas picks native BLAS with its library and threads, the tfjs parts on wasm", (t) => {
    const blas = loadBlas();
    if (!blas.ok) return t.skip(blas.reason);
    const r = probe({ CVAE_BACKEND: "blas" });
    assert.equal(r.result?.name, "blas", r.stdout);
    assert.equal(r.result?.tfjs, "wasm");
    const info = r.result?.blas as { library: string; threads: number };
    assert.match(info.library, /blas/);
    assert.ok(info.threads >= 1);
    assert.match(r.stdout, /backend: blas \(nblas, \S*blas\S*, \d+ BLAS threads? per call; tfjs [\d.]+ wasm/);
  });

  it("the automatic choice does not pick BLAS (opt-in while it trains on one thread)", () => {
    assert.notEqual(probe({}).result?.name, "blas");
  });

  it("CVAE_BACKEND=tensorflow fails clearly when native TensorFlow is not installed", (t) => {
    if (nativeInstalled()) return t.skip("native TensorFlow is installed here");
    const r = probe({ CVAE_BACKEND: "tensorflow" });
    assert.equal(r.status, 1);
    assert.match(
      r.error ?? "",
      /"tensorflow" requested, but native TensorFlow did not load \(.*tfjs-node-native: not installed\)\. Install it with `npm install`/,
    );
  });

  it("CVAE_BACKEND with an unknown value names the variable and the valid values", () => {
    const r = probe({ CVAE_BACKEND: "gpu" });
    assert.equal(r.status, 1);
    assert.equal(r.error, 'CVAE_BACKEND: unknown backend "gpu"; expected one of auto, tensorflow, blas, wasm, cpu');
  });
});

describe("parseBackendChoice(value)", () => {
  it("accepts the four choices and rejects anything else", () => {
    for (const v of ["auto", "tensorflow", "wasm", "cpu"]) assert.equal(parseBackendChoice(v), v);
    assert.throws(() => parseBackendChoice("webgl", "--backend"), /--backend: unknown backend "webgl"/);
  });
});
