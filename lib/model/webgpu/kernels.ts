// The WGSL kernels of the C-VAE's step on the GPU: the same computations, in the same order, as
// lib/model/forward.ts and backward.ts (each kernel names the function it mirrors), and Adam as
// lib/model/adam.ts. Every kernel takes its sizes from a uniform; bounds are checked, so any
// shape works (odd sizes, one row, one item). No kernel computes an index outside its buffer, even in a
// select() (which evaluates both sides): Mesa's llvmpipe reads such an index from the process's own
// memory, and crashed the process in most runs. f32 throughout, as on the CPU.

/** A product's sizes: op(A) is M x K, op(B) K x N; leading dimensions and element offsets into the buffers. */
export interface ProductShape {
  M: number;
  N: number;
  K: number;
  lda: number;
  ldb: number;
  ldc: number;
  aOff?: number;
  bOff?: number;
  cOff?: number;
  /** Where the bias (MODE 2) starts in B's buffer. */
  bias?: number;
}

/** Workgroup size of the element-wise and per-row kernels. */
export const WG = 64;
/** Output tile of the matrix product (64 x 64, 4 x 4 outputs per thread of a 16 x 16 group). */
export const TILE = 64;

// tanh through exp(-2|x|): WGSL's tanh may overflow to NaN for large |x| on some drivers.
const TANH = /* wgsl */ `
fn tanh_safe(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}`;

/**
 * C = op(A) op(B) (MODE 0), C += op(A) op(B) (MODE 1) or C = op(A) op(B) + bias (MODE 2, the bias
 * read from B's buffer at biasOff); TANH applies tanh to the result. Leading dimensions and
 * element offsets let one buffer hold many matrices (the flat parameters) and let the decoder read
 * mu out of [mu, logvar] rows. The Gemm of gemm.ts, with the bias-then-accumulate of forward.ts fused.
 */
export function matmulSource(transA: boolean, transB: boolean, mode: 0 | 1 | 2, tanh: boolean): string {
  const aLoad = transA
    ? `let r = idx % 64u; let kk = idx / 64u; let gr = row0 + r; let gk = k0 + kk;
      var v = 0.0;
      if (gr < u.M && gk < kEnd) { v = A[u.aOff + gk * u.lda + gr]; }
      As[kk][r] = v;`
    : `let r = idx / 16u; let kk = idx % 16u; let gr = row0 + r; let gk = k0 + kk;
      var v = 0.0;
      if (gr < u.M && gk < kEnd) { v = A[u.aOff + gr * u.lda + gk]; }
      As[kk][r] = v;`;
  const bLoad = transB
    ? `let cc = idx / 16u; let kb = idx % 16u; let gc = col0 + cc; let gk2 = k0 + kb;
      var w = 0.0;
      if (gk2 < kEnd && gc < u.N) { w = B[u.bOff + gc * u.ldb + gk2]; }
      Bs[kb][cc] = w;`
    : `let kb = idx / 64u; let cc = idx % 64u; let gc = col0 + cc; let gk2 = k0 + kb;
      var w = 0.0;
      if (gk2 < kEnd && gc < u.N) { w = B[u.bOff + gk2 * u.ldb + gc]; }
      Bs[kb][cc] = w;`;
  const base = mode === 1 ? "C[at]" : mode === 2 ? "B[u.biasOff + c]" : "0.0";
  const value = tanh ? `tanh_safe(${base} + acc[i][j])` : `${base} + acc[i][j]`;
  return /* wgsl */ `
struct U { M: u32, N: u32, K: u32, lda: u32, ldb: u32, ldc: u32, aOff: u32, bOff: u32, cOff: u32, biasOff: u32, kPer: u32, cStride: u32 }
@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> u: U;
var<workgroup> As: array<array<f32, 64>, 16>;
var<workgroup> Bs: array<array<f32, 64>, 16>;
${TANH}
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wg.y * 64u;
  let col0 = wg.x * 64u;
  let tid = lid.y * 16u + lid.x;
  // Split-K: group z sums k in [kBegin, kEnd) into its own slice of C (summed by SPLIT_SUM).
  let kBegin = wg.z * u.kPer;
  let kEnd = min(u.K, kBegin + u.kPer);
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = kBegin; k0 < kEnd; k0 += 16u) {
    for (var l = 0u; l < 4u; l++) {
      let idx = tid + l * 256u;
      { ${aLoad} }
      { ${bLoad} }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { a[i] = As[kk][lid.y * 4u + i]; b[i] = Bs[kk][lid.x * 4u + i]; }
      for (var i = 0u; i < 4u; i++) { for (var j = 0u; j < 4u; j++) { acc[i][j] = fma(a[i], b[j], acc[i][j]); } }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      let r = row0 + lid.y * 4u + i;
      let c = col0 + lid.x * 4u + j;
      if (r < u.M && c < u.N) {
        let at = u.cOff + wg.z * u.cStride + r * u.ldc + c;
        C[at] = ${value};
      }
    }
  }
}`;
}

/** C[cOff + r ldc + c] = sum over the S slices of a split-K product's partial results (M x N each), in slice order. */
export const SPLIT_SUM = /* wgsl */ `
struct U { M: u32, N: u32, S: u32, ldc: u32, cOff: u32 }
@group(0) @binding(0) var<storage, read> part: array<f32>;
@group(0) @binding(1) var<storage, read_write> C: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.y * 65535u * ${WG}u + g.x;
  if (i >= u.M * u.N) { return; }
  var s = 0.0;
  for (var z = 0u; z < u.S; z++) { s += part[z * u.M * u.N + i]; }
  C[u.cOff + (i / u.N) * u.ldc + i % u.N] = s;
}`;

/**
 * Slices of a split-K product: enough groups to fill a GPU (~512) when the output has few tiles and
 * K is long (dLogits W4^T: 500 x 600 out of K = m), each slice at least 64 deep.
 */
export function kSlices(M: number, N: number, K: number): number {
  const tiles = Math.ceil(M / TILE) * Math.ceil(N / TILE);
  return Math.max(1, Math.min(Math.ceil(512 / tiles), Math.floor(K / 64)));
}

/** forward.ts encoderInput, then tanh: h1 = tanh(b1 + sum_i x_i W1[i] + W1[m + c]), one group per (64 columns, row). */
export const SPARSE_INPUT = /* wgsl */ `
struct U { rows: u32, H: u32, m: u32, C: u32, w1Off: u32, b1Off: u32 }
@group(0) @binding(0) var<storage, read> P: array<f32>;
@group(0) @binding(1) var<storage, read> inPtr: array<i32>;
@group(0) @binding(2) var<storage, read> inItems: array<i32>;
@group(0) @binding(3) var<storage, read> inValues: array<f32>;
@group(0) @binding(4) var<storage, read> cond: array<i32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<uniform> u: U;
${TANH}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  let r = g.y;
  if (j >= u.H || r >= u.rows) { return; }
  var s = P[u.b1Off + j];
  for (var k = inPtr[r]; k < inPtr[r + 1u]; k++) {
    s += inValues[k] * P[u.w1Off + u32(inItems[k]) * u.H + j];
  }
  let c = cond[r];
  if (u.C > 0u && c >= 0) { s += P[u.w1Off + (u.m + u32(c)) * u.H + j]; }
  out[r * u.H + j] = tanh_safe(s);
}`;

/** backward.ts computeGradients' z = mu + eps * sigma and KL per row (one thread per row). */
export const REPARAMETERISE = /* wgsl */ `
struct U { rows: u32, L: u32 }
@group(0) @binding(0) var<storage, read> out2: array<f32>;
@group(0) @binding(1) var<storage, read> eps: array<f32>;
@group(0) @binding(2) var<storage, read_write> z: array<f32>;
@group(0) @binding(3) var<storage, read_write> sigma: array<f32>;
@group(0) @binding(4) var<storage, read_write> klRow: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) g: vec3u) {
  let r = g.x;
  if (r >= u.rows) { return; }
  var kl = 0.0;
  for (var j = 0u; j < u.L; j++) {
    let mu = out2[r * 2u * u.L + j];
    let logvar = out2[r * 2u * u.L + u.L + j];
    let s = exp(logvar * 0.5);
    sigma[r * u.L + j] = s;
    z[r * u.L + j] = mu + eps[r * u.L + j] * s;
    kl += 1.0 + logvar - mu * mu - exp(logvar);
  }
  klRow[r] = -0.5 * kl;
}`;

/** d *= 1 - h^2: the tanh layers' backward (dA3 from h3, dA1 from h1). */
export const TANH_BACKWARD = /* wgsl */ `
struct U { n: u32 }
@group(0) @binding(0) var<storage, read_write> d: array<f32>;
@group(0) @binding(1) var<storage, read> h: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < u.n) { d[g.x] *= 1.0 - h[g.x] * h[g.x]; }
}`;

/** backward.ts columnSums: out[outOff + j] = sum_r a[r * cols + j] (a bias's gradient), rows summed in order. */
export const COLUMN_SUMS = /* wgsl */ `
struct U { rows: u32, cols: u32, outOff: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.y * 65535u * ${WG}u + g.x;
  if (j >= u.cols) { return; }
  var s = 0.0;
  for (var r = 0u; r < u.rows; r++) { s += a[r * u.cols + j]; }
  out[u.outOff + j] = s;
}`;

/** backward.ts computeGradients' dA2 = d[mu, logvar] from dZ and the KL term's gradient (betaScale = beta / rows). */
export const LATENT_BACKWARD = /* wgsl */ `
struct U { rows: u32, L: u32, betaScale: f32 }
@group(0) @binding(0) var<storage, read> dZ: array<f32>;
@group(0) @binding(1) var<storage, read> out2: array<f32>;
@group(0) @binding(2) var<storage, read> eps: array<f32>;
@group(0) @binding(3) var<storage, read> sigma: array<f32>;
@group(0) @binding(4) var<storage, read_write> dA2: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) g: vec3u) {
  let q = g.x;
  if (q >= u.rows * u.L) { return; }
  let r = q / u.L;
  let j = q % u.L;
  let mu = out2[r * 2u * u.L + j];
  let logvar = out2[r * 2u * u.L + u.L + j];
  dA2[r * 2u * u.L + j] = dZ[q] + mu * u.betaScale;
  dA2[r * 2u * u.L + u.L + j] = dZ[q] * eps[q] * sigma[q] * 0.5 + (exp(logvar) - 1.0) * 0.5 * u.betaScale;
}`;

/**
 * backward.ts encoderInputGrad, gathered instead of scattered (WGSL has no float atomics): one group
 * per (64 columns, touched W1 row), summing v * dA1[r] over the batch entries of that row (the
 * batch's transpose, built on the CPU: webgpu/batch.ts). Rows no batch touches keep a zero gradient.
 */
export const INPUT_GRAD = /* wgsl */ `
struct U { touched: u32, H: u32, w1Off: u32 }
@group(0) @binding(0) var<storage, read> colPtr: array<i32>;
@group(0) @binding(1) var<storage, read> colRow: array<i32>;
@group(0) @binding(2) var<storage, read> entRows: array<i32>;
@group(0) @binding(3) var<storage, read> entValues: array<f32>;
@group(0) @binding(4) var<storage, read> dA1: array<f32>;
@group(0) @binding(5) var<storage, read_write> G: array<f32>;
@group(0) @binding(6) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  let t = g.y;
  if (j >= u.H || t >= u.touched) { return; }
  var s = 0.0;
  for (var k = colPtr[t]; k < colPtr[t + 1u]; k++) { s += entValues[k] * dA1[u32(entRows[k]) * u.H + j]; }
  G[u.w1Off + u32(colRow[t]) * u.H + j] = s;
}`;

/** After Adam: the touched W1 rows' gradients back to zero, so the next batch starts from zeros. */
export const ZERO_ROWS = /* wgsl */ `
struct U { touched: u32, H: u32, w1Off: u32 }
@group(0) @binding(0) var<storage, read> colRow: array<i32>;
@group(0) @binding(1) var<storage, read_write> G: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < u.H && g.y < u.touched) { G[u.w1Off + u32(colRow[g.y]) * u.H + g.x] = 0.0; }
}`;

/** adam.ts adamUpdate over every parameter (PyTorch's formulation, no weight decay). */
export const ADAM_UPDATE = /* wgsl */ `
struct U { n: u32, stepSize: f32, invSqrtC2: f32, beta1: f32, beta2: f32, eps: f32 }
@group(0) @binding(0) var<storage, read_write> P: array<f32>;
@group(0) @binding(1) var<storage, read> G: array<f32>;
@group(0) @binding(2) var<storage, read_write> M: array<f32>;
@group(0) @binding(3) var<storage, read_write> V: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.y * 65535u * 256u + g.x;
  if (i >= u.n) { return; }
  let gi = G[i];
  let mi = u.beta1 * M[i] + (1.0 - u.beta1) * gi;
  let vi = u.beta2 * V[i] + (1.0 - u.beta2) * gi * gi;
  M[i] = mi;
  V[i] = vi;
  P[i] -= (u.stepSize * mi) / (sqrt(vi) * u.invSqrtC2 + u.eps);
}`;

/** The step's loss sums (NLL, KL) into slot `slot` of the loss ring, rows summed by one group. */
export const LOSS_SUMS = /* wgsl */ `
struct U { rows: u32, slot: u32 }
@group(0) @binding(0) var<storage, read> nllRow: array<f32>;
@group(0) @binding(1) var<storage, read> klRow: array<f32>;
@group(0) @binding(2) var<storage, read_write> ring: array<f32>;
@group(0) @binding(3) var<uniform> u: U;
var<workgroup> a: array<f32, 256>;
var<workgroup> b: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  let t = lid.x;
  var sa = 0.0;
  var sb = 0.0;
  for (var r = t; r < u.rows; r += 256u) { sa += nllRow[r]; sb += klRow[r]; }
  a[t] = sa;
  b[t] = sb;
  for (var s = 128u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (t < s) { a[t] += a[t + s]; b[t] += b[t + s]; }
  }
  if (t == 0u) { ring[u.slot * 2u] = a[0]; ring[u.slot * 2u + 1u] = b[0]; }
}`;

const MATMULS: [boolean, boolean, 0 | 1 | 2, boolean][] = [
  [false, false, 2, false],
  [false, false, 2, true],
  [true, false, 0, false],
  [false, true, 0, false],
];
export const matmulKey = (transA: boolean, transB: boolean, mode: number, tanh: boolean) => `matmul:${+transA}${+transB}${mode}${+tanh}`;

/** Every pipeline the model uses but the softmax (reductions.ts: its source depends on the device), compiled when it is created. */
export const PIPELINES: [string, () => string][] = [
  ...MATMULS.map(([a, b, mode, tanh]): [string, () => string] => [matmulKey(a, b, mode, tanh), () => matmulSource(a, b, mode, tanh)]),
  ["sparse-input", () => SPARSE_INPUT],
  ["split-sum", () => SPLIT_SUM],
  ["reparameterise", () => REPARAMETERISE],
  ["column-sums", () => COLUMN_SUMS],
  ["tanh-backward", () => TANH_BACKWARD],
  ["latent-backward", () => LATENT_BACKWARD],
  ["input-grad", () => INPUT_GRAD],
  ["adam", () => ADAM_UPDATE],
  ["zero-rows", () => ZERO_ROWS],
  ["loss-sums", () => LOSS_SUMS],
];
