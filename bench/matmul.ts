// Matrix-product speed of the chosen tfjs backend at the C-VAE's large shapes, and the
// cost of tfjs's transposed-matMul path against an explicit transpose (why the model
// writes its gradients with explicit transposes).
import * as tf from "@tensorflow/tfjs";
import { describeBackend, initBackend } from "../lib/model/backend";
import { fmtRange, median, timeRuns } from "./stats";

export async function benchMatmul(): Promise<void> {
  const info = await initBackend({ log: false });
  console.log(describeBackend(info));
  const [b, m, h] = [500, 8000, 600];
  const a = tf.randomUniform([b, m], 0, 1, "float32", 1);
  const w = tf.randomUniform([m, h], -0.05, 0.05, "float32", 2);
  const wT = tf.randomUniform([h, m], -0.05, 0.05, "float32", 3);
  const hid = tf.randomUniform([b, h], -1, 1, "float32", 4);
  const flops = 2 * b * m * h;
  const cases: [string, () => tf.Tensor][] = [
    [`[${b}x${m}] x [${m}x${h}]`, () => tf.matMul(a, w)],
    [`[${b}x${h}] x [${h}x${m}]`, () => tf.matMul(hid, wT)],
    [`transposeA flag: [${m}x${b}]^T-style dW`, () => tf.matMul(a, hid, true, false)],
    [`explicit transpose + matMul (same dW)`, () => tf.matMul(tf.transpose(a), hid)],
  ];
  for (const [label, fn] of cases) {
    // Return nothing from tidy: it walks a returned value element by element (seconds for 4M floats).
    const times = await timeRuns(() => tf.tidy(() => void fn().dataSync()), 3, 1);
    console.log(`${label.padEnd(42)} ${fmtRange(times)}  ${(flops / median(times) / 1e6).toFixed(1)} GFLOPS`);
  }
  tf.dispose([a, w, wT, hid]);
}
