// The step's per-row reduction kernel (softmax + multinomial loss gradient), in two variants of
// one source: workgroup reductions through shared memory (any adapter), or subgroup operations
// where the device was opened with the `subgroups` feature (device.ts). A subgroup reduction
// needs two barriers where the shared-memory tree needs ten. Partial sums are combined in
// subgroup order (subgroup_id), never in the order threads finish, so a run stays reproducible.

/** The reductions the softmax kernel does (max, then sums), with shared memory or subgroups. */
function reducers(subgroups: boolean): string {
  if (!subgroups)
    return /* wgsl */ `
var<workgroup> red: array<f32, 256>;
fn tree(v: f32, isMax: bool) -> f32 {
  red[t] = v;
  for (var s = 128u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (t < s) { red[t] = select(red[t] + red[t + s], max(red[t], red[t + s]), isMax); }
  }
  workgroupBarrier();
  let total = red[0];
  workgroupBarrier();
  return total;
}
fn reduceMax(v: f32) -> f32 { return tree(v, true); }
fn reduceSum(v: f32) -> f32 { return tree(v, false); }`;
  // One partial per subgroup, written by its first lane at its subgroup_id (256 slots: no assumption on the subgroup size).
  return /* wgsl */ `
var<workgroup> red: array<f32, 256>;
var<private> lane: u32;
var<private> sid: u32;
var<private> subgroupCount: u32;
fn combine(part: f32, isMax: bool) -> f32 {
  workgroupBarrier();
  if (lane == 0u) { red[sid] = part; }
  workgroupBarrier();
  var total = red[0];
  for (var i = 1u; i < subgroupCount; i++) { total = select(total + red[i], max(total, red[i]), isMax); }
  return total;
}
fn reduceMax(v: f32) -> f32 { return combine(subgroupMax(v), true); }
fn reduceSum(v: f32) -> f32 { return combine(subgroupAdd(v), false); }`;
}

/**
 * backward.ts softmaxCrossEntropy, one workgroup of 256 per row: the logits become
 * dLoss/dLogits = p * n * scale - scale at each of the row's n targets; nllRow[r] = -sum log p.
 */
export function softmaxXentSource(subgroups: boolean): string {
  const builtins = subgroups
    ? `, @builtin(subgroup_invocation_id) sgLane: u32, @builtin(subgroup_id) sgId: u32, @builtin(num_subgroups) sgCount: u32`
    : "";
  return /* wgsl */ `${subgroups ? "enable subgroups;" : ""}
struct U { rows: u32, m: u32, scale: f32 }
@group(0) @binding(0) var<storage, read_write> logits: array<f32>;
@group(0) @binding(1) var<storage, read> tgtPtr: array<i32>;
@group(0) @binding(2) var<storage, read> tgtItems: array<i32>;
@group(0) @binding(3) var<storage, read_write> nllRow: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
var<private> t: u32;
${reducers(subgroups)}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u${builtins}) {
  ${subgroups ? "lane = sgLane; sid = sgId; subgroupCount = sgCount;" : ""}
  let r = wg.x;
  t = lid.x;
  let o = r * u.m;
  var mx = -3.4e38;
  for (var j = t; j < u.m; j += 256u) { mx = max(mx, logits[o + j]); }
  mx = reduceMax(mx);
  var sum = 0.0;
  for (var j = t; j < u.m; j += 256u) {
    let e = exp(logits[o + j] - mx);
    logits[o + j] = e;
    sum += e;
  }
  sum = reduceSum(sum);
  storageBarrier();
  let inv = 1.0 / sum;
  let k0 = tgtPtr[r];
  let k1 = tgtPtr[r + 1u];
  var nll = 0.0;
  for (var k = k0 + i32(t); k < k1; k += 256) { nll -= log(max(logits[o + u32(tgtItems[k])] * inv, 1e-30)); }
  nll = reduceSum(nll);
  if (t == 0u) { nllRow[r] = nll; }
  let factor = inv * f32(k1 - k0) * u.scale;
  storageBarrier();
  workgroupBarrier();
  for (var j = t; j < u.m; j += 256u) { logits[o + j] *= factor; }
  storageBarrier();
  workgroupBarrier();
  for (var k = k0 + i32(t); k < k1; k += 256) { logits[o + u32(tgtItems[k])] -= u.scale; }
}`;
}
