// The Gemm providers the model tests run the one forward pass and step on: plain JS (the
// reference), native BLAS (skipped where the binding did not build), and tfjs's matMul on
// the cpu and wasm backends.
import * as tf from "@tensorflow/tfjs";
import { loadBlas } from "../../lib/model/blas";
import { type Gemm, jsGemm, tfjsGemm } from "../../lib/model/gemm";

export interface Provider {
  name: string;
  gemm: Gemm;
  /** Why it cannot run here, or false. */
  skip: string | false;
  /** Makes it usable (selects the tfjs backend it runs on). */
  ready(): Promise<void>;
}

const blas = loadBlas();

async function useTfjs(backend: "cpu" | "wasm"): Promise<void> {
  if (backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} did not initialise`);
}

export const PROVIDERS: Provider[] = [
  { name: "plain JS", gemm: jsGemm, skip: false, ready: async () => {} },
  { name: "BLAS", gemm: blas.gemm ?? jsGemm, skip: blas.ok ? false : blas.reason, ready: async () => {} },
  { name: "tfjs cpu", gemm: tfjsGemm, skip: false, ready: () => useTfjs("cpu") },
  { name: "tfjs wasm", gemm: tfjsGemm, skip: false, ready: () => useTfjs("wasm") },
];
