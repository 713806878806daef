// The C-VAE resident on a GPU: parameters, Adam moments, gradients and activations live in GPU
// buffers; a step uploads only the sparse batch (with the noise and dropout the run's own seeded
// streams drew on the CPU, so runs match the CPU backends') and its transpose. The sequence of
// kernels is forward.ts's forward pass and backward.ts's computeGradients, step for step; the
// model is not written a second time, only its kernels are (kernels.ts).
/// <reference types="@webgpu/types" />
import { ADAM } from "../adam";
import type { SparseBatch } from "../batch";
import type { ParamLayout, ParamName } from "../parameters";
import { transposeBatch, underEveryCondition } from "./batch";
import {
  ADAM_UPDATE,
  COLUMN_SUMS,
  INPUT_GRAD,
  kSlices,
  LATENT_BACKWARD,
  LOSS_SUMS,
  matmulKey,
  matmulSource,
  PIPELINES,
  type ProductShape,
  REPARAMETERISE,
  SPARSE_INPUT,
  SPLIT_SUM,
  TANH_BACKWARD,
  TILE,
  WG,
  ZERO_ROWS,
} from "./kernels";
import { softmaxXentSource } from "./reductions";
import { GpuResources, grid } from "./resources";

const F = 4; // bytes per f32 / i32

/** Slots of the loss ring: the losses of this many steps can wait on the GPU for a read. */
export const LOSS_SLOTS = 64;

export class GpuCvae {
  readonly gpu: GpuResources;
  private readonly P: GPUBuffer;
  private readonly G: GPUBuffer;
  private readonly M: GPUBuffer;
  private readonly V: GPUBuffer;
  /** The softmax reduces through subgroup operations: the device was opened with `subgroups` (device.ts). */
  readonly subgroups: boolean;

  private constructor(
    device: GPUDevice,
    readonly layout: ParamLayout,
    /** "scoring" holds the parameters only: no gradients, no Adam moments (a quarter of the memory). */
    readonly purpose: "training" | "scoring",
  ) {
    this.gpu = new GpuResources(device);
    this.subgroups = device.features.has("subgroups");
    const bytes = layout.size * F;
    const trainingBytes = purpose === "training" ? bytes : 16;
    this.P = this.gpu.buffer("params", bytes);
    this.G = this.gpu.buffer("grads", trainingBytes);
    this.M = this.gpu.buffer("adam.m", trainingBytes);
    this.V = this.gpu.buffer("adam.v", trainingBytes);
  }

  /** Parameters, gradients and Adam moments on `device` (gradients zeroed), or a clear out-of-memory error. */
  static async create(device: GPUDevice, layout: ParamLayout, purpose: "training" | "scoring" = "training"): Promise<GpuCvae> {
    const gib = ((layout.size * F * (purpose === "training" ? 4 : 1)) / 2 ** 30).toFixed(2);
    const largest = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    if (layout.size * F > largest) {
      const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
      throw new Error(
        `backend "webgpu": the model's parameters (${mib(layout.size * F)}) exceed the largest buffer this adapter binds ` +
          `(${mib(largest)}); use a smaller hidden, or CVAE_BACKEND=blas`,
      );
    }
    device.pushErrorScope("out-of-memory");
    const model = new GpuCvae(device, layout, purpose);
    const error = await device.popErrorScope();
    if (error) {
      model.destroy();
      throw new Error(
        `backend "webgpu": out of GPU memory for the model's parameters, gradients and Adam moments (${gib} GiB): ` +
          `${error.message.split("\n")[0]}; use a smaller hidden, or CVAE_BACKEND=blas`,
      );
    }
    // Training compiles every kernel up front; scoring compiles its few on first use (a scorer opens per analysis call).
    if (purpose === "training") model.gpu.prepare([...PIPELINES, ["softmax-xent", () => softmaxXentSource(model.subgroups)]]);
    return model;
  }

  private off(name: ParamName): number {
    return this.layout.entries[name].offset;
  }

  /** Replaces the parameters (and, for training, the Adam moments) on the GPU: a fresh run, a resumed one, a loaded model. */
  write(params: Float32Array, m?: Float32Array, v?: Float32Array): void {
    this.gpu.check();
    if (this.purpose === "training" && (!m || !v)) throw new Error("webgpu: a training model needs its Adam moments");
    const pairs: [GPUBuffer, Float32Array][] = [[this.P, params]];
    if (this.purpose === "training" && m && v) pairs.push([this.M, m], [this.V, v]);
    for (const [buf, data] of pairs) {
      if (data.length !== this.layout.size) throw new RangeError(`webgpu: ${data.length} values, the layout has ${this.layout.size}`);
      this.gpu.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    }
  }

  /** Parameters and Adam moments copied back from the GPU. */
  async read(): Promise<{ params: Float32Array; m: Float32Array; v: Float32Array }> {
    this.assertTraining();
    const bytes = this.layout.size * F;
    const params = new Float32Array(await this.gpu.read(this.P, bytes, 0, "state"));
    const m = new Float32Array(await this.gpu.read(this.M, bytes, 0, "state"));
    const v = new Float32Array(await this.gpu.read(this.V, bytes, 0, "state"));
    return { params, m, v };
  }

  /** Uploads the batch; the activations are sized for its rows. */
  private uploadBatch(batch: SparseBatch) {
    const g = this.gpu;
    return {
      inPtr: g.upload("inPtr", batch.inPtr),
      inItems: g.upload("inItems", batch.inItems),
      inValues: g.upload("inValues", batch.inValues),
      cond: g.upload("cond", batch.cond),
    };
  }

  private matmul(
    pass: GPUComputePassEncoder,
    site: string,
    op: { transA?: boolean; transB?: boolean; mode: 0 | 1 | 2; tanh?: boolean },
    A: GPUBuffer,
    B: GPUBuffer,
    C: GPUBuffer,
    s: ProductShape,
  ): void {
    const { transA = false, transB = false, mode, tanh = false } = op;
    const key = matmulKey(transA, transB, mode, tanh);
    const pipeline = this.gpu.pipeline(key, () => matmulSource(transA, transB, mode, tanh));
    const groups = (z: number): [number, number, number] => [Math.ceil(s.N / TILE), Math.ceil(s.M / TILE), z];
    const slices = mode === 0 ? kSlices(s.M, s.N, s.K) : 1;
    if (slices === 1) {
      const u = [s.M, s.N, s.K, s.lda, s.ldb, s.ldc, s.aOff ?? 0, s.bOff ?? 0, s.cOff ?? 0, s.bias ?? 0, s.K, 0];
      this.gpu.dispatch(pass, site, pipeline, [A, B, C], u, groups(1));
      return;
    }
    // Few output tiles and a long K: slices of K into partial results, then their sum into C.
    const kPer = Math.ceil(s.K / slices / 16) * 16;
    const S = Math.ceil(s.K / kPer);
    const part = this.gpu.buffer(`split:${site}`, S * s.M * s.N * F);
    const u = [s.M, s.N, s.K, s.lda, s.ldb, s.N, s.aOff ?? 0, s.bOff ?? 0, 0, 0, kPer, s.M * s.N];
    this.gpu.dispatch(pass, site, pipeline, [A, B, part], u, groups(S));
    const sum = this.gpu.pipeline("split-sum", () => SPLIT_SUM);
    this.gpu.dispatch(pass, `${site}:sum`, sum, [part, C], [s.M, s.N, S, s.ldc, s.cOff ?? 0], grid(s.M * s.N, WG));
  }

  /** h1 = tanh(input layer) and [mu, logvar] = h1 W2 + b2 of `batch`, recorded into `pass`. */
  private encode(pass: GPUComputePassEncoder, batch: SparseBatch, up: ReturnType<GpuCvae["uploadBatch"]>) {
    const { items: m, conditions: C, hidden: H, latentDim: L } = this.layout.dims;
    const R = batch.rows;
    const g = this.gpu;
    const h1 = g.buffer("h1", R * H * F);
    const out2 = g.buffer("out2", R * 2 * L * F);
    const sparse = g.pipeline("sparse-input", () => SPARSE_INPUT);
    const u = [R, H, m, C, this.off("W1"), this.off("b1")];
    g.dispatch(pass, "sparse-input", sparse, [this.P, up.inPtr, up.inItems, up.inValues, up.cond, h1], u, [Math.ceil(H / WG), R]);
    const sizes = { M: R, N: 2 * L, K: H, lda: H, ldb: 2 * L, ldc: 2 * L, bOff: this.off("W2"), bias: this.off("b2") };
    this.matmul(pass, "encoder-out", { mode: 2 }, h1, this.P, out2, sizes);
    return { h1, out2 };
  }

  /** h3 = tanh(z W3 + b3) and logits = h3 W4 + b4; z is read with row stride `ldz` (2L reads mu out of [mu, logvar]). */
  private decode(pass: GPUComputePassEncoder, R: number, z: GPUBuffer, ldz: number) {
    const { items: m, hidden: H, latentDim: L } = this.layout.dims;
    const g = this.gpu;
    const h3 = g.buffer("h3", R * H * F);
    const logits = g.buffer("logits", R * m * F);
    const s3 = { M: R, N: H, K: L, lda: ldz, ldb: H, ldc: H, bOff: this.off("W3"), bias: this.off("b3") };
    this.matmul(pass, "decoder-hidden", { mode: 2, tanh: true }, z, this.P, h3, s3);
    const s4 = { M: R, N: m, K: H, lda: H, ldb: m, ldc: m, bOff: this.off("W4"), bias: this.off("b4") };
    this.matmul(pass, "decoder-out", { mode: 2 }, h3, this.P, logits, s4);
    return { h3, logits };
  }

  /** Logits (rows x m) of an evaluation batch (z = mu), read back. */
  async scores(batch: SparseBatch): Promise<Float32Array> {
    this.gpu.check();
    const { items: m, latentDim: L } = this.layout.dims;
    const up = this.uploadBatch(batch);
    const enc = this.gpu.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    const { out2 } = this.encode(pass, batch, up);
    const { logits } = this.decode(pass, batch.rows, out2, 2 * L);
    pass.end();
    this.gpu.device.queue.submit([enc.finish()]);
    return new Float32Array(await this.gpu.read(logits, batch.rows * m * F, 0, "scores"));
  }

  /** [mu, logvar] rows (rows x 2L) of a batch, read back. */
  async encoderOutput(batch: SparseBatch): Promise<Float32Array> {
    this.gpu.check();
    const up = this.uploadBatch(batch);
    const enc = this.gpu.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    const { out2 } = this.encode(pass, batch, up);
    pass.end();
    this.gpu.device.queue.submit([enc.finish()]);
    return new Float32Array(await this.gpu.read(out2, batch.rows * 2 * this.layout.dims.latentDim * F, 0, "means"));
  }

  /**
   * Records and submits one training step: gradients of the mean loss (scale = 1 / rows), then Adam
   * with update number `step`; the step's (NLL, KL) sums go to slot `slot` of the loss ring. Nothing is read back.
   */
  step(batch: SparseBatch, beta: number, lr: number, step: number, slot: number): void {
    const enc = this.gpu.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    const { colRow, touched } = this.recordGradients(pass, batch, beta, slot);
    const g = this.gpu;
    const H = this.layout.dims.hidden;
    // Adam over every parameter, then the touched W1 gradient rows back to zero
    const { beta1, beta2, eps: adamEps } = ADAM;
    const stepSize = lr / (1 - beta1 ** step);
    const invSqrtC2 = 1 / Math.sqrt(1 - beta2 ** step);
    const n = this.layout.size;
    const adamU = [n, { f32: stepSize }, { f32: invSqrtC2 }, { f32: beta1 }, { f32: beta2 }, { f32: adamEps }];
    g.dispatch(
      pass,
      "adam",
      g.pipeline("adam", () => ADAM_UPDATE),
      [this.P, this.G, this.M, this.V],
      adamU,
      grid(n, 256),
    );
    const w1 = this.off("W1");
    g.dispatch(
      pass,
      "zero-rows",
      g.pipeline("zero-rows", () => ZERO_ROWS),
      [colRow, this.G],
      [touched, H, w1],
      [Math.ceil(H / WG), touched],
    );
    pass.end();
    g.device.queue.submit([enc.finish()]);
  }

  /**
   * backward.ts computeGradients on the GPU, read back (no Adam): the loss sums and the gradients of
   * the mean loss. The tests hold it to the CPU step; training uses step().
   */
  async gradients(batch: SparseBatch, beta: number): Promise<{ nllSum: number; klSum: number; grads: Float32Array }> {
    const enc = this.gpu.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    const { colRow, touched } = this.recordGradients(pass, batch, beta, 0);
    const H = this.layout.dims.hidden;
    pass.end();
    this.gpu.device.queue.submit([enc.finish()]);
    const grads = new Float32Array(await this.gpu.read(this.G, this.layout.size * F, 0, "state"));
    const [nllSum, klSum] = await this.readLosses(0, 1, "loss-test");
    // The touched rows back to zero, as after a step.
    const enc2 = this.gpu.device.createCommandEncoder();
    const pass2 = enc2.beginComputePass();
    const w1 = this.off("W1");
    this.gpu.dispatch(
      pass2,
      "zero-rows",
      this.gpu.pipeline("zero-rows", () => ZERO_ROWS),
      [colRow, this.G],
      [touched, H, w1],
      [Math.ceil(H / WG), touched],
    );
    pass2.end();
    this.gpu.device.queue.submit([enc2.finish()]);
    return { nllSum, klSum, grads };
  }

  /** The forward pass and backpropagation of computeGradients, recorded into `pass`; the gradients land in G. */
  private recordGradients(pass: GPUComputePassEncoder, batch: SparseBatch, beta: number, slot: number) {
    this.gpu.check();
    this.assertTraining();
    const { items: m, conditions: C, hidden: H, latentDim: L } = this.layout.dims;
    const R = batch.rows;
    if (!batch.eps) throw new Error("webgpu step: a training batch needs eps");
    const scale = 1 / R;
    const g = this.gpu;
    const up = this.uploadBatch(batch);
    const eps = g.upload("eps", batch.eps);
    const tgtPtr = g.upload("tgtPtr", batch.tgtPtr);
    const tgtItems = g.upload("tgtItems", batch.tgtItems);
    const t = transposeBatch(batch, m, C);
    const colPtr = g.upload("colPtr", t.colPtr);
    const colRow = g.upload("colRow", t.colRow);
    const entRows = g.upload("entRows", t.entRows);
    const entValues = g.upload("entValues", t.entValues);
    const touched = t.colRow.length;
    const z = g.buffer("z", R * L * F);
    const sigma = g.buffer("sigma", R * L * F);
    const klRow = g.buffer("klRow", R * F);
    const nllRow = g.buffer("nllRow", R * F);
    const dA3 = g.buffer("dA3", R * H * F);
    const dZ = g.buffer("dZ", R * L * F);
    const dA2 = g.buffer("dA2", R * 2 * L * F);
    const dA1 = g.buffer("dA1", R * H * F);
    const ring = g.buffer("loss-ring", LOSS_SLOTS * 2 * F);
    const { h1, out2 } = this.encode(pass, batch, up);
    g.dispatch(
      pass,
      "reparameterise",
      g.pipeline("reparameterise", () => REPARAMETERISE),
      [out2, eps, z, sigma, klRow],
      [R, L],
      [Math.ceil(R / WG)],
    );
    const { h3, logits } = this.decode(pass, R, z, L);
    const xent = g.pipeline("softmax-xent", () => softmaxXentSource(this.subgroups));
    g.dispatch(pass, "softmax-xent", xent, [logits, tgtPtr, tgtItems, nllRow], [R, m, { f32: scale }], [R]);
    const dLogits = logits;
    const colsum = g.pipeline("column-sums", () => COLUMN_SUMS);
    const tanhBack = g.pipeline("tanh-backward", () => TANH_BACKWARD);
    // dW4 = h3^T dLogits, db4, dA3 = (dLogits W4^T) * (1 - h3^2)
    this.matmul(pass, "dW4", { transA: true, mode: 0 }, h3, dLogits, this.G, {
      M: H,
      N: m,
      K: R,
      lda: H,
      ldb: m,
      ldc: m,
      cOff: this.off("W4"),
    });
    g.dispatch(pass, "db4", colsum, [dLogits, this.G], [R, m, this.off("b4")], grid(m, WG));
    this.matmul(pass, "dA3", { transB: true, mode: 0 }, dLogits, this.P, dA3, {
      M: R,
      N: H,
      K: m,
      lda: m,
      ldb: m,
      ldc: H,
      bOff: this.off("W4"),
    });
    g.dispatch(pass, "dA3-tanh", tanhBack, [dA3, h3], [R * H], grid(R * H, WG));
    // dW3 = z^T dA3, db3, dZ = dA3 W3^T
    this.matmul(pass, "dW3", { transA: true, mode: 0 }, z, dA3, this.G, { M: L, N: H, K: R, lda: L, ldb: H, ldc: H, cOff: this.off("W3") });
    g.dispatch(pass, "db3", colsum, [dA3, this.G], [R, H, this.off("b3")], grid(H, WG));
    this.matmul(pass, "dZ", { transB: true, mode: 0 }, dA3, this.P, dZ, { M: R, N: L, K: H, lda: H, ldb: H, ldc: L, bOff: this.off("W3") });
    const latentBack = g.pipeline("latent-backward", () => LATENT_BACKWARD);
    g.dispatch(pass, "dA2", latentBack, [dZ, out2, eps, sigma, dA2], [R, L, { f32: beta * scale }], grid(R * L, WG));
    // dW2 = h1^T dA2, db2, dA1 = (dA2 W2^T) * (1 - h1^2)
    const s2 = { M: H, N: 2 * L, K: R, lda: H, ldb: 2 * L, ldc: 2 * L, cOff: this.off("W2") };
    this.matmul(pass, "dW2", { transA: true, mode: 0 }, h1, dA2, this.G, s2);
    g.dispatch(pass, "db2", colsum, [dA2, this.G], [R, 2 * L, this.off("b2")], grid(2 * L, WG));
    const s1 = { M: R, N: H, K: 2 * L, lda: 2 * L, ldb: 2 * L, ldc: H, bOff: this.off("W2") };
    this.matmul(pass, "dA1", { transB: true, mode: 0 }, dA2, this.P, dA1, s1);
    g.dispatch(pass, "dA1-tanh", tanhBack, [dA1, h1], [R * H], grid(R * H, WG));
    // The input layer: touched W1 rows, db1
    const inputGrad = g.pipeline("input-grad", () => INPUT_GRAD);
    const w1 = this.off("W1");
    g.dispatch(pass, "dW1", inputGrad, [colPtr, colRow, entRows, entValues, dA1, this.G], [touched, H, w1], [Math.ceil(H / WG), touched]);
    g.dispatch(pass, "db1", colsum, [dA1, this.G], [R, H, this.off("b1")], grid(H, WG));
    g.dispatch(
      pass,
      "loss-sums",
      g.pipeline("loss-sums", () => LOSS_SUMS),
      [nllRow, klRow, ring],
      [R, slot],
      [1],
    );
    return { colRow, touched };
  }

  /** Starts copying loss slots [from, to) back; resolves to their (NLL, KL) pairs. */
  readLosses(from: number, to: number, staging: string): Promise<Float32Array> {
    const ring = this.gpu.buffer("loss-ring", LOSS_SLOTS * 2 * F);
    return this.gpu.read(ring, (to - from) * 2 * F, from * 2 * F, staging).then((b) => new Float32Array(b));
  }

  /**
   * forward.ts encodeUnderEveryCondition on the GPU: latent means of every row under no condition,
   * then under each condition, ((C + 1) x rows) x L, grouped by condition. Each history is repeated
   * C + 1 times in one batch (the GPU's input layer is cheap; the CPU adds the condition rows instead).
   */
  async encodeUnderEveryCondition(batch: SparseBatch): Promise<Float32Array> {
    const { conditions: C, latentDim: L } = this.layout.dims;
    const expanded = underEveryCondition(batch, C);
    const rows = expanded.rows;
    const out2 = await this.encoderOutput(expanded);
    const mu = new Float32Array(rows * L);
    for (let r = 0; r < rows; r++) mu.set(out2.subarray(r * 2 * L, r * 2 * L + L), r * L);
    return mu;
  }

  private assertTraining(): void {
    if (this.purpose !== "training") throw new Error("webgpu: this model was opened for scoring only");
  }

  destroy(): void {
    this.gpu.destroy();
  }
}
