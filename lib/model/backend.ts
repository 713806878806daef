// Picks the backend once per process: a hardware WebGPU adapter (the step's own kernels, resident
// on the GPU: webgpu/), else native TensorFlow when it really loads, else native BLAS (the
// typed-array forward and backward of forward.ts and backward.ts over the cvae-lens-blas binding),
// else WebAssembly (SIMD), else the pure-JS cpu backend. `auto` never picks a software adapter
// (llvmpipe: correct, far too slow); CVAE_BACKEND=webgpu forces it (the tests do).
//
// Why the care: `@tensorflow/tfjs-node` cannot install without internet, so it is an
// optional dependency under the alias `tfjs-node-native`, and danfojs-node's own
// `@tensorflow/tfjs-node` is overridden to plain tfjs. `require("@tensorflow/tfjs-node")`
// therefore succeeds and silently gives pure-JS tfjs: only the backend name proves anything.
import { tfjs } from "./tfjs";
import { type BlasInfo, loadBlas, setBlasThreads } from "./blas";
import { type Gemm, tfjsGemm } from "./gemm";
import { autoThreads, blasThreadsPerCall } from "./threads";
import { type AdapterInfo, describeAdapter, firstLine, noHardwareDriver, probeAdapter, subgroupSetting } from "./webgpu/device";

export type BackendName = "webgpu" | "tensorflow" | "blas" | "wasm" | "cpu";
export type BackendChoice = BackendName | "auto";

export const BACKEND_NAMES: readonly BackendName[] = ["webgpu", "tensorflow", "blas", "wasm", "cpu"];

export interface BackendInfo {
  /** The tfjs backend in use. */
  name: BackendName;
  /** The package that provided it. */
  provider: string;
  /** WebAssembly SIMD in use (wasm only; null elsewhere). */
  simd: boolean | null;
  /** Threads the backend computes on (null when tfjs does not report it). */
  threads: number | null;
  /** Why faster backends were skipped, one line each. */
  skipped: string[];
  /** With "blas": the BLAS library and its threads per call (the tfjs parts run on wasm or cpu). */
  blas?: BlasInfo;
  /** With "blas" and "webgpu": the tfjs backend the rest runs on. */
  tfjs?: BackendName;
  /** With "webgpu": the adapter training runs on. */
  adapter?: AdapterInfo;
}

export interface BackendOptions {
  /** Backend to use; "auto" picks the fastest that loads. Overridden by CVAE_BACKEND. */
  backend?: BackendChoice;
  /** Print the one-line summary (default true; printed once per process). */
  log?: boolean;
  /** Environment to read CVAE_BACKEND from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

// Native packages in order of preference: a user-installed GPU build first.
const NATIVE_PACKAGES = ["@tensorflow/tfjs-node-gpu", "tfjs-node-native"];

let current: Promise<BackendInfo> | null = null;
let chosen: BackendName | null = null;
let currentChoice: BackendChoice | null = null;
let printed = false;

/** Parses a backend choice, throwing on anything unknown. */
export function parseBackendChoice(value: string, source = "backend"): BackendChoice {
  switch (value) {
    case "auto":
    case "webgpu":
    case "tensorflow":
    case "blas":
    case "wasm":
    case "cpu":
      return value;
    default:
      throw new Error(`${source}: unknown backend "${value}"; expected one of auto, ${BACKEND_NAMES.join(", ")}`);
  }
}

/**
 * Initialises tfjs once and returns what was chosen. Later calls return the same
 * result; asking for a different backend than the one already chosen throws.
 */
export function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const { env = process.env, log = true } = options;
  const fromEnv = env.CVAE_BACKEND;
  let choice: BackendChoice;
  try {
    choice = fromEnv ? parseBackendChoice(fromEnv, "CVAE_BACKEND") : parseBackendChoice(options.backend ?? "auto");
    subgroupSetting(env); // a bad value fails here, on every backend and adapter, not at the first GPU device
  } catch (err) {
    return Promise.reject(err);
  }
  if (current) {
    if (choice !== "auto" && currentChoice !== choice && currentChoice !== "auto") {
      return Promise.reject(new Error(`backend already initialised as "${currentChoice}"; restart the process to use "${choice}"`));
    }
    return current;
  }
  currentChoice = choice;
  current = selectBackend(choice).then((info) => {
    chosen = info.name;
    if (log && !printed) {
      printed = true;
      console.log(describeBackend(info));
    }
    return info;
  });
  current.catch(() => {
    current = null; // a failed forced choice may be retried with another one
    currentChoice = null;
  });
  return current;
}

/** The backend initBackend settled on in this thread, or null before it has. */
export function chosenBackend(): BackendName | null {
  return chosen;
}

/**
 * The product the CPU-side model code uses on a backend; "blas" needs the native binding. On
 * "webgpu" training and validation run on the GPU (webgpu/engine.ts); the rest uses BLAS when it loads.
 */
export function gemmFor(backend: BackendName): Gemm {
  if (backend === "webgpu") {
    const blas = loadBlas();
    return blas.ok ? blas.gemm : tfjsGemm;
  }
  if (backend !== "blas") return tfjsGemm;
  const blas = loadBlas();
  if (!blas.ok) throw new Error(`backend "blas": ${blas.reason}`);
  return blas.gemm;
}

/** The provider of the backend this process chose (tfjs's current backend before initBackend). */
export function activeGemm(): Gemm {
  return gemmFor(chosenBackend() ?? "cpu");
}

/** One line for logs and notebook headers. */
export function describeBackend(info: BackendInfo): string {
  if (info.adapter) {
    const rest = info.blas ? `BLAS (${info.blas.library})` : `tfjs ${tfjs().version_core} on ${info.tfjs ?? "cpu"}`;
    const skipped = info.skipped.length ? `; skipped: ${info.skipped.join("; ")}` : "";
    // Whether the softmax reduces through subgroups (CVAE_WEBGPU_SUBGROUPS=off turns them off on a driver that misbehaves).
    const subgroups = info.adapter.subgroups ? (subgroupSetting() === "off" ? "subgroups off" : "subgroups on") : "no subgroups";
    return `backend: webgpu (${info.provider} on ${describeAdapter(info.adapter)}, ${subgroups}; other model code on ${rest})${skipped}`;
  }
  if (info.blas) {
    const { library, build, threads, threadsFrom } = info.blas;
    const what = build ? `${build}, ${library}` : library;
    const perCall = threads === null ? "threads as the library sets them" : `${threads} BLAS thread${threads === 1 ? "" : "s"} per call`;
    const from = threadsFrom === "OPENBLAS_NUM_THREADS" ? " from OPENBLAS_NUM_THREADS" : "";
    const train = autoThreads("blas");
    const trainThreads = `${train} training thread${train === 1 ? "" : "s"}`;
    const rest = `tfjs ${tfjs().version_core} on ${info.tfjs ?? "wasm"} for other tensor code (the model runs on BLAS)`;
    const skipped = info.skipped.length ? `; skipped: ${info.skipped.join("; ")}` : "";
    return `backend: blas (${info.provider}: ${what}; ${perCall}${from} x ${trainThreads}; ${rest})${skipped}`;
  }
  const parts = [`tfjs ${tfjs().version_core} backend: ${info.name} (${info.provider}`];
  if (info.simd !== null) parts.push(`, SIMD ${info.simd ? "on" : "off"}`);
  if (info.threads !== null) parts.push(`, ${info.threads} thread${info.threads === 1 ? "" : "s"}`);
  parts.push(")");
  const skipped = info.skipped.length ? `; skipped: ${info.skipped.join("; ")}` : "";
  return parts.join("") + skipped;
}

async function selectBackend(choice: BackendChoice): Promise<BackendInfo> {
  const skipped: string[] = [];
  if (choice === "auto" || choice === "webgpu") {
    const gpu = await tryWebGpu(choice === "webgpu", skipped);
    if (gpu) return gpu;
    if (choice === "webgpu") throw new Error(`CVAE_BACKEND/backend "webgpu" requested, but ${skipped.join("; ")}; use CVAE_BACKEND=blas`);
  }
  if (choice === "auto" || choice === "tensorflow") {
    const native = await tryNative(skipped);
    if (native) return native;
    if (choice === "tensorflow") {
      throw new Error(
        `CVAE_BACKEND/backend "tensorflow" requested, but native TensorFlow did not load (${skipped.join("; ")}). ` +
          "Install it with `npm install` on a machine with internet access (see environment.md), or use wasm.",
      );
    }
  }
  if (choice === "auto" || choice === "blas") {
    const blas = loadBlas();
    if (blas.ok) {
      // Threads per call for the default engine (training threads x BLAS threads = cores).
      const info = setBlasThreads(blasThreadsPerCall(autoThreads("blas")));
      // The dense step runs on BLAS; what still uses tfjs (the analysis' forward pass) gets wasm, else cpu.
      const tfjsSide = (await tryWasm([])) ?? (await cpuBackend([]));
      return { name: "blas", provider: "cvae-lens-blas", simd: null, threads: info.threads, skipped, blas: info, tfjs: tfjsSide.name };
    }
    if (choice === "blas") throw new Error(`CVAE_BACKEND/backend "blas" requested, but ${blas.reason}`);
    skipped.push(`blas: ${blas.reason}`);
  }
  if (choice === "auto" || choice === "wasm") {
    const wasm = await tryWasm(skipped);
    if (wasm) return wasm;
    if (choice === "wasm") {
      throw new Error(`backend "wasm" requested, but it did not initialise (${skipped.join("; ")})`);
    }
  }
  return cpuBackend(skipped);
}

/** The webgpu backend when an adapter exists (a software one only when forced), else null with the reason in `skipped`. */
async function tryWebGpu(forced: boolean, skipped: string[]): Promise<BackendInfo | null> {
  const quickNo = forced ? null : noHardwareDriver();
  if (quickNo) {
    skipped.push(`webgpu: ${quickNo}`);
    return null;
  }
  const probe = await probeAdapter();
  if (!probe.ok) {
    skipped.push(`webgpu: ${probe.reason}`);
    return null;
  }
  if (probe.info.software && !forced) {
    skipped.push(`webgpu: only a software adapter, ${describeAdapter(probe.info)} (CVAE_BACKEND=webgpu uses it anyway)`);
    return null;
  }
  const blas = loadBlas();
  const tfjsSide = (await tryWasm([])) ?? (await cpuBackend([]));
  const blasInfo = blas.ok ? setBlasThreads(blasThreadsPerCall(1)) : undefined;
  return {
    name: "webgpu",
    provider: "Dawn",
    simd: null,
    threads: 1,
    skipped,
    adapter: probe.info,
    tfjs: tfjsSide.name,
    ...(blasInfo ? { blas: blasInfo } : {}),
  };
}

async function cpuBackend(skipped: string[]): Promise<BackendInfo> {
  const tf = tfjs();
  await tf.setBackend("cpu");
  await tf.ready();
  return { name: "cpu", provider: "@tensorflow/tfjs", simd: null, threads: 1, skipped };
}

async function tryNative(skipped: string[]): Promise<BackendInfo | null> {
  const tf = tfjs();
  for (const pkg of NATIVE_PACKAGES) {
    try {
      // A variable specifier keeps bundlers and the type checker away from a package that may be absent.
      const load: (id: string) => unknown = require;
      load(pkg);
    } catch (err) {
      skipped.push(`${pkg}: ${loadFailure(err)}`);
      continue;
    }
    // The native package registers "tensorflow" on the shared tfjs-core when it really loaded.
    try {
      if ((await tf.setBackend("tensorflow")) && tf.getBackend() === "tensorflow") {
        return { name: "tensorflow", provider: pkg, simd: null, threads: null, skipped };
      }
      skipped.push(`${pkg}: loaded, but the "tensorflow" backend failed to initialise`);
    } catch (err) {
      skipped.push(`${pkg}: loaded, but registered no "tensorflow" backend (${loadFailure(err)})`);
    }
  }
  return null;
}

async function tryWasm(skipped: string[]): Promise<BackendInfo | null> {
  const tf = tfjs();
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const ok = await tf.setBackend("wasm");
    await tf.ready();
    if (!ok || tf.getBackend() !== "wasm") throw new Error("setBackend returned false");
    const simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
    return { name: "wasm", provider: "@tensorflow/tfjs-backend-wasm", simd, threads: wasm.getThreadsCount(), skipped };
  } catch (err) {
    skipped.push(`wasm: ${loadFailure(err)}`);
    return null;
  }
}

/** Why a package did not load, in a few words: "not installed", or its error's first line. */
function loadFailure(err: unknown): string {
  return (err as { code?: string } | null)?.code === "MODULE_NOT_FOUND" ? "not installed" : firstLine(err);
}
