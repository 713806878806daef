// tfjs, loaded on first use. Importing it costs about a second; the model's own code runs on
// a Gemm (native BLAS or plain JS) and needs tfjs only for its tfjs provider and for picking a
// backend, so a process that does neither (a CLI command refused for a bad flag, a test of
// checkpoints or figures) does not pay for it.
type Tfjs = typeof import("@tensorflow/tfjs");

let loaded: Tfjs | null = null;

export function tfjs(): Tfjs {
  loaded ??= require("@tensorflow/tfjs") as Tfjs;
  return loaded;
}
