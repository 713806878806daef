import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadBlas } from "../../lib/model/blas";
import { parseBackendChoice } from "../../lib/model/backend";

const PROBE = join(__dirname, "..", "fixtures", "backend-probe.ts");
/** Preload that makes the BLAS binding unloadable, as on a machine where it did not build. */
const HIDE_BLAS = ["--require", join(__dirname, "..", "fixtures", "hide-blas.cjs")];
/** Preload that hides the optional `webgpu` package, as after an npm ci that skipped it. */
const HIDE_WEBGPU = ["--require", join(__dirname, "..", "fixtures", "hide-webgpu.cjs")];

function probe(
  env: Record<string, string | undefined>,
  preload: string[] = [],
): { status: number | null; stdout: string; result?: Record<string, unknown>; error?: string } {
  const r = spawnSync(process.execPath, [...preload, "--import", "tsx", PROBE], { env: { ...process.env, ...env }, encoding: "utf8" });
  const resultLine = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  const errorLine = r.stdout.split("\n").find((l) => l.startsWith("ERROR "));
  return {
    status: r.status,
    stdout: r.stdout,
    result: resultLine ? JSON.parse(resultLine.slice(7)) : undefined,
    error: errorLine?.slice(6),
  };
}

/** Whether `auto` would pick WebGPU here (a hardware adapter), asked in a child so this process keeps its backend free. */
const hardwareGpu = (() => {
  const r = probe({ CVAE_BACKEND: "" });
  return r.result?.name === "webgpu";
})();

function nativeInstalled(): boolean {
  try {
    require.resolve("tfjs-node-native");
    return true;
  } catch {
    return false;
  }
}

describe("initBackend()", () => {
  it("picks native TensorFlow when installed, else native BLAS when its binding built, and prints the choice once", (t) => {
    const r = probe({ CVAE_BACKEND: "", OPENBLAS_NUM_THREADS: undefined });
    assert.equal(r.status, 0, r.stdout);
    if (hardwareGpu) return t.skip("a hardware WebGPU adapter is here: auto picks webgpu (tested below)");
    if (nativeInstalled()) {
      assert.equal(r.result?.name, "tensorflow");
      return;
    }
    if (!loadBlas().ok) return t.skip("the BLAS binding did not build here; the fallback is tested below");
    assert.equal(r.result?.name, "blas");
    const skipped = r.result?.skipped as string[];
    assert.match(skipped[0], /^webgpu: /);
    assert.deepEqual(skipped.slice(1), ["@tensorflow/tfjs-node-gpu: not installed", "tfjs-node-native: not installed"]);
    assert.equal(r.stdout.split("\n").filter((l) => l.startsWith("backend: ")).length, 1);
  });

  it("falls back to wasm with SIMD, saying why, when the BLAS binding is missing", () => {
    const r = probe({ CVAE_BACKEND: "", OPENBLAS_NUM_THREADS: undefined }, HIDE_BLAS);
    assert.equal(r.status, 0, r.stdout);
    if (nativeInstalled() || hardwareGpu) return;
    assert.equal(r.result?.name, "wasm");
    assert.equal(r.result?.simd, true);
    assert.equal(r.result?.threads, 1);
    const skipped = r.result?.skipped as string[];
    assert.match(
      skipped[3],
      /^blas: the cvae-lens-blas binding did not load \(Cannot find module 'cvae-lens-blas'.*\); install a compiler and libopenblas-dev/,
    );
    assert.equal(r.stdout.split("\n").filter((l) => l.startsWith("tfjs ")).length, 1);
  });

  it("CVAE_BACKEND=wasm forces WebAssembly even where BLAS would load", () => {
    const r = probe({ CVAE_BACKEND: "wasm" });
    assert.equal(r.result?.name, "wasm", r.stdout);
    assert.equal(r.result?.simd, true);
  });

  it("CVAE_BACKEND=cpu forces the pure-JS backend", () => {
    assert.equal(probe({ CVAE_BACKEND: "cpu" }).result?.name, "cpu");
  });

  it("CVAE_BACKEND=blas shows the library, its build and the threads: one per call on each of two training threads", (t) => {
    if (!loadBlas().ok) return t.skip("the BLAS binding did not build here");
    const r = probe({ CVAE_BACKEND: "blas", OPENBLAS_NUM_THREADS: undefined });
    assert.equal(r.result?.name, "blas", r.stdout);
    assert.equal(r.result?.tfjs, "wasm");
    const info = r.result?.blas as { library: string; build: string | null; threads: number; threadsFrom: string };
    assert.match(info.library, /blas/);
    const perCall = Math.max(1, Math.floor(availableParallelism() / Math.min(2, availableParallelism())));
    assert.equal(info.threads, perCall);
    assert.equal(info.threadsFrom, "cvae-lens");
    assert.match(
      r.stdout,
      new RegExp(`backend: blas \\(cvae-lens-blas: .*\\S*blas\\S*; ${perCall} BLAS threads? per call x \\d training threads?; tfjs`),
    );
  });

  it("OPENBLAS_NUM_THREADS, when the user sets it, wins over the project's choice and is named", (t) => {
    if (!loadBlas().ok) return t.skip("the BLAS binding did not build here");
    // The cores: OpenBLAS caps its threads there, and on 2+ cores it differs from the project's cores / 2.
    const cores = availableParallelism();
    const r = probe({ CVAE_BACKEND: "blas", OPENBLAS_NUM_THREADS: String(cores) });
    const info = r.result?.blas as { threads: number; threadsFrom: string };
    assert.equal(info.threads, cores, r.stdout);
    assert.equal(info.threadsFrom, "OPENBLAS_NUM_THREADS");
    assert.match(r.stdout, new RegExp(`${cores} BLAS threads? per call from OPENBLAS_NUM_THREADS`));
  });

  it("CVAE_BACKEND=blas fails clearly, naming the binding and what to install, when it is missing", () => {
    const r = probe({ CVAE_BACKEND: "blas" }, HIDE_BLAS);
    assert.equal(r.status, 1);
    assert.match(
      r.error ?? "",
      /"blas" requested, but the cvae-lens-blas binding did not load \(.*\); install a compiler and libopenblas-dev, then npm ci/,
    );
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
    assert.equal(r.error, 'CVAE_BACKEND: unknown backend "gpu"; expected one of auto, webgpu, tensorflow, blas, wasm, cpu');
  });

  it("CVAE_BACKEND=webgpu uses even a software adapter, naming it, and the rest of the model code on BLAS or tfjs", (t) => {
    const r = probe({ CVAE_BACKEND: "webgpu" });
    if (r.status !== 0) return t.skip(`no WebGPU adapter here (${r.error})`);
    assert.equal(r.result?.name, "webgpu", r.stdout);
    const adapter = r.result?.adapter as { software: boolean; vendor: string };
    assert.equal(typeof adapter.software, "boolean");
    assert.match(
      r.stdout,
      /backend: webgpu \(Dawn on .*\((software|hardware); vendor .*\), (subgroups on|no subgroups); other model code on /,
    );
  });

  it("CVAE_WEBGPU_SUBGROUPS=off is named in the backend line where the adapter offers subgroups", (t) => {
    const off = probe({ CVAE_BACKEND: "webgpu", CVAE_WEBGPU_SUBGROUPS: "off" });
    if (off.status !== 0) return t.skip(`no WebGPU adapter here (${off.error})`);
    const offered = (off.result?.adapter as { subgroups: boolean }).subgroups;
    assert.match(off.stdout, offered ? /\), subgroups off; other model code on / : /\), no subgroups; other model code on /);
  });

  it("refuses another CVAE_WEBGPU_SUBGROUPS value on any backend, naming the variable and its values", () => {
    for (const backend of ["wasm", "webgpu"]) {
      const bad = probe({ CVAE_BACKEND: backend, CVAE_WEBGPU_SUBGROUPS: "maybe" });
      assert.equal(bad.status, 1, bad.stdout);
      assert.match(bad.error ?? "", /^CVAE_WEBGPU_SUBGROUPS="maybe" is not one of auto, off \(.*unset it for auto\)$/);
    }
  });

  it("auto passes over WebGPU on a machine with only a software adapter or no GPU, and says why", (t) => {
    if (hardwareGpu) return t.skip("a hardware WebGPU adapter is here");
    const r = probe({ CVAE_BACKEND: "" });
    const skipped = r.result?.skipped as string[];
    assert.match(skipped[0], /^webgpu: (no Vulkan driver|only a software|no GPU device|no WebGPU adapter|the optional package)/);
  });

  it("CVAE_BACKEND=webgpu without the optional package fails clearly, naming it and the way back to BLAS", () => {
    const r = probe({ CVAE_BACKEND: "webgpu" }, HIDE_WEBGPU);
    assert.equal(r.status, 1);
    assert.match(r.error ?? "", /"webgpu" requested, but webgpu: the optional package `webgpu` is not installed; use CVAE_BACKEND=blas/);
  });
});

describe("parseBackendChoice(value)", () => {
  it("accepts the six choices and rejects anything else", () => {
    for (const v of ["auto", "webgpu", "tensorflow", "blas", "wasm", "cpu"]) assert.equal(parseBackendChoice(v), v);
    assert.throws(() => parseBackendChoice("webgl", "--backend"), /--backend: unknown backend "webgl"/);
  });
});
