// The GPU step against the CPU's (backward.ts over the plain-JS product), on whatever WebGPU
// adapter this machine has (in CI: Mesa's llvmpipe). Shapes are odd on purpose: no size is a
// multiple of the 64-wide tile or the 16-deep slice, and there are one-row batches and a one-item model.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Rng } from "../../../lib/core/rng";
import { adamUpdate } from "../../../lib/model/adam";
import { computeGradients } from "../../../lib/model/backward";
import type { SparseBatch } from "../../../lib/model/batch";
import { encodeRows, scoreBatch } from "../../../lib/model/forward";
import { jsGemm } from "../../../lib/model/gemm";
import { initParams, type ModelDims, PARAM_NAMES, paramLayout, paramView } from "../../../lib/model/parameters";
import { transposeBatch } from "../../../lib/model/webgpu/batch";
import { openDevice, probeAdapter } from "../../../lib/model/webgpu/device";
import { GpuCvae } from "../../../lib/model/webgpu/gpu-cvae";
import { maxRelError } from "../../helpers/autodiff";
import { withEnv } from "../../helpers/env";

/** A random batch of `rows` rows over `items` items: histories with dropout-like values, conditions, targets, noise. */
function randomBatch(rng: Rng, rows: number, dims: ModelDims, withEps = true): SparseBatch {
  const { items, conditions, latentDim } = dims;
  const inPtr = new Int32Array(rows + 1);
  const tgtPtr = new Int32Array(rows + 1);
  const inItems: number[] = [];
  const inValues: number[] = [];
  const tgtItems: number[] = [];
  const cond = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const chosen = Array.from({ length: items }, (_, i) => i).filter(() => rng.random() < 0.4);
    if (chosen.length === 0) chosen.push(rng.integer(items));
    for (const i of chosen) {
      inItems.push(i);
      inValues.push((rng.random() < 0.2 ? 0 : 2) / Math.sqrt(chosen.length));
    }
    for (const i of chosen) if (rng.random() < 0.7 || i === chosen[0]) tgtItems.push(i);
    inPtr[r + 1] = inItems.length;
    tgtPtr[r + 1] = tgtItems.length;
    cond[r] = conditions > 0 && rng.random() < 0.7 ? rng.integer(conditions) : -1;
  }
  const eps = withEps ? Float32Array.from({ length: rows * latentDim }, () => rng.normal()) : null;
  return {
    rows,
    inPtr,
    inItems: Int32Array.from(inItems),
    inValues: Float32Array.from(inValues),
    cond,
    tgtPtr,
    tgtItems: Int32Array.from(tgtItems),
    eps,
  };
}

function paramsFor(dims: ModelDims, seed: number): Float32Array {
  const layout = paramLayout(dims);
  const rng = new Rng(seed);
  const params = initParams(layout, rng);
  for (const b of ["b1", "b2", "b3", "b4"] as const) paramView(params, layout, b).forEach((_, i, a) => (a[i] = 0.3 * rng.normal()));
  return params;
}

const SHAPES: { name: string; dims: ModelDims; rows: number }[] = [
  { name: "odd sizes (m 37, C 3, H 19, L 5), 7 rows", dims: { items: 37, conditions: 3, hidden: 19, latentDim: 5 }, rows: 7 },
  { name: "larger than a tile (m 131, C 2, H 70, L 9), 67 rows", dims: { items: 131, conditions: 2, hidden: 70, latentDim: 9 }, rows: 67 },
  { name: "one row (m 23, C 4, H 17, L 3)", dims: { items: 23, conditions: 4, hidden: 17, latentDim: 3 }, rows: 1 },
  { name: "two items, no conditions (a Mult-VAE), 3 rows", dims: { items: 2, conditions: 0, hidden: 5, latentDim: 2 }, rows: 3 },
];

describe("the C-VAE on a WebGPU device", async () => {
  const probe = await probeAdapter();
  if (!probe.ok) {
    it("needs a WebGPU adapter", { skip: skipReason(probe) }, () => undefined);
    return;
  }
  let device: GPUDevice;
  before(async () => {
    device = await openDevice();
  });
  after(() => device?.destroy());

  for (const shape of SHAPES) {
    describe(shape.name, () => {
      const layout = paramLayout(shape.dims);
      let model: GpuCvae;
      before(async () => {
        model = await GpuCvae.create(device, layout);
      });

      it("computes the CPU step's loss and gradients within 2e-5 of each gradient's scale", async () => {
        const params = paramsFor(shape.dims, 3);
        const batch = randomBatch(new Rng(4), shape.rows, shape.dims);
        const zero = new Float32Array(layout.size);
        model.write(params, zero, zero);
        const gpu = await model.gradients(batch, 0.3);
        const cpu = new Float32Array(layout.size);
        const loss = computeGradients(jsGemm, params, layout, batch, 0.3, 1 / batch.rows, cpu);
        assert.ok(Math.abs(gpu.nllSum - loss.nllSum) <= 2e-5 * Math.abs(loss.nllSum), `nll ${gpu.nllSum} vs ${loss.nllSum}`);
        assert.ok(Math.abs(gpu.klSum - loss.klSum) <= 2e-5 * Math.max(1, Math.abs(loss.klSum)), `kl ${gpu.klSum} vs ${loss.klSum}`);
        for (const n of PARAM_NAMES) {
          const err = maxRelError(paramView(gpu.grads, layout, n), paramView(cpu, layout, n));
          assert.ok(err < 2e-5, `${n}: max relative error ${err}`);
        }
      });

      it("leaves no stale input-layer gradient behind: a second batch's gradients do not depend on the first", async () => {
        const params = paramsFor(shape.dims, 5);
        const zero = new Float32Array(layout.size);
        model.write(params, zero, zero);
        const first = randomBatch(new Rng(6), shape.rows, shape.dims);
        const second = randomBatch(new Rng(7), shape.rows, shape.dims);
        await model.gradients(first, 0.2);
        const after = await model.gradients(second, 0.2);
        const cpu = new Float32Array(layout.size);
        computeGradients(jsGemm, params, layout, second, 0.2, 1 / second.rows, cpu);
        assert.ok(maxRelError(paramView(after.grads, layout, "W1"), paramView(cpu, layout, "W1")) < 2e-5);
      });

      it("takes the CPU's Adam step: parameters and moments after two steps within 1e-5 relative", async () => {
        const params = paramsFor(shape.dims, 8);
        const zero = new Float32Array(layout.size);
        model.write(params, zero, zero);
        const cpuParams = params.slice();
        const state = { m: new Float32Array(layout.size), v: new Float32Array(layout.size), step: 0 };
        for (let step = 1; step <= 2; step++) {
          const batch = randomBatch(new Rng(10 + step), shape.rows, shape.dims);
          model.step(batch, 0.1, 0.01, step, 0);
          const grads = new Float32Array(layout.size);
          computeGradients(jsGemm, cpuParams, layout, batch, 0.1, 1 / batch.rows, grads);
          adamUpdate(cpuParams, [grads], state, 0.01, step);
        }
        const gpu = await model.read();
        // Adam divides by sqrt(v): a gradient near zero makes the step sensitive, so compare against the step size.
        let worst = 0;
        for (let i = 0; i < layout.size; i++) worst = Math.max(worst, Math.abs(gpu.params[i] - cpuParams[i]));
        assert.ok(worst < 1e-4, `parameters differ by up to ${worst} after two steps of lr 0.01`);
        assert.ok(maxRelError(gpu.m, state.m) < 1e-5, `m: ${maxRelError(gpu.m, state.m)}`);
        assert.ok(maxRelError(gpu.v, state.v) < 1e-4, `v: ${maxRelError(gpu.v, state.v)}`);
      });

      it("scores and encodes an evaluation batch as forward.ts does, within 1e-5 relative", async () => {
        const params = paramsFor(shape.dims, 12);
        const zero = new Float32Array(layout.size);
        model.write(params, zero, zero);
        const batch = randomBatch(new Rng(13), shape.rows, shape.dims, false);
        assert.ok(maxRelError(await model.scores(batch), scoreBatch(jsGemm, params, layout, batch)) < 1e-5);
        assert.ok(maxRelError(await model.encoderOutput(batch), encodeRows(jsGemm, params, layout, batch).out2) < 1e-5);
      });
    });
  }
});

describe("a one-item model on a WebGPU device (the limit case)", async () => {
  const probe = await probeAdapter();
  it("has no reconstruction gradient (softmax over one item is 1) and the CPU's KL gradients", { skip: skipReason(probe) }, async () => {
    if (!probe.ok) return;
    const dims = { items: 1, conditions: 0, hidden: 5, latentDim: 2 };
    const layout = paramLayout(dims);
    const device = await openDevice();
    try {
      const model = await GpuCvae.create(device, layout);
      const params = paramsFor(dims, 21);
      const zero = new Float32Array(layout.size);
      model.write(params, zero, zero);
      const batch = randomBatch(new Rng(22), 3, dims);
      const gpu = await model.gradients(batch, 0.5);
      const cpu = new Float32Array(layout.size);
      computeGradients(jsGemm, params, layout, batch, 0.5, 1 / batch.rows, cpu);
      assert.ok(Math.abs(gpu.nllSum) < 1e-6, `NLL of the only item: ${gpu.nllSum}`);
      for (const n of ["W4", "b4", "W3", "b3"] as const) {
        const worst = Math.max(...Array.from(paramView(gpu.grads, layout, n), Math.abs));
        assert.ok(worst < 1e-6, `${n}: gradient up to ${worst}, expected 0`);
      }
      // The encoder's gradients come from the KL term alone (the decoder's are float noise around 0).
      for (const n of ["W2", "b2"] as const) assert.ok(maxRelError(paramView(gpu.grads, layout, n), paramView(cpu, layout, n)) < 1e-4, n);
    } finally {
      device.destroy();
    }
  });
});

/** A device opened with CVAE_WEBGPU_SUBGROUPS set to `setting` (openDevice reads it when it opens). */
function deviceWith(setting: "auto" | "off"): Promise<GPUDevice> {
  return withEnv("CVAE_WEBGPU_SUBGROUPS", setting, openDevice);
}

describe("the softmax's reductions, through subgroups where offered and through shared memory", async () => {
  const probe = await probeAdapter();
  // m 700: each of the 256 threads reduces several logits; m 3: most threads hold nothing (-inf, 0).
  const shapes: { dims: ModelDims; rows: number }[] = [
    { dims: { items: 700, conditions: 2, hidden: 9, latentDim: 3 }, rows: 5 },
    { dims: { items: 3, conditions: 0, hidden: 4, latentDim: 2 }, rows: 2 },
  ];
  for (const setting of ["auto", "off"] as const) {
    const uses = setting === "auto" && probe.ok && probe.info.subgroups;
    it(
      `CVAE_WEBGPU_SUBGROUPS=${setting}: ${uses ? "subgroups" : "shared memory"}; the CPU step's loss and gradients within 2e-5`,
      { skip: skipReason(probe) },
      async () => {
        for (const { dims, rows } of shapes) {
          const layout = paramLayout(dims);
          // The model owns its device (destroying the one destroys the other).
          const model = await GpuCvae.create(await deviceWith(setting), layout);
          try {
            assert.equal(model.subgroups, uses, "the kernel variant the device allows");
            const params = paramsFor(dims, 31);
            const zero = new Float32Array(layout.size);
            model.write(params, zero, zero);
            const batch = randomBatch(new Rng(32), rows, dims);
            const gpu = await model.gradients(batch, 0.4);
            const cpu = new Float32Array(layout.size);
            const loss = computeGradients(jsGemm, params, layout, batch, 0.4, 1 / rows, cpu);
            assert.ok(Math.abs(gpu.nllSum - loss.nllSum) <= 2e-5 * Math.abs(loss.nllSum), `nll ${gpu.nllSum} vs ${loss.nllSum}`);
            for (const n of PARAM_NAMES) {
              const err = maxRelError(paramView(gpu.grads, layout, n), paramView(cpu, layout, n));
              assert.ok(err < 2e-5, `m ${dims.items}, ${n}: max relative error ${err}`);
            }
          } finally {
            model.destroy();
          }
        }
      },
    );
  }
});

describe("failures on a WebGPU device say what happened and how to go on", async () => {
  const probe = await probeAdapter();

  it("a lost device: the next step fails naming the backend and CVAE_BACKEND=blas", { skip: skipReason(probe) }, async () => {
    const dims = { items: 9, conditions: 2, hidden: 5, latentDim: 2 };
    const device = await openDevice();
    const model = await GpuCvae.create(device, paramLayout(dims));
    device.destroy(); // as a driver reset would
    await device.lost;
    await new Promise((resolve) => setImmediate(resolve));
    assert.throws(
      () => model.step(randomBatch(new Rng(1), 2, dims), 0.1, 0.001, 1, 0),
      /backend "webgpu": the GPU device was lost .*use CVAE_BACKEND=blas to train on the CPU; the last checkpoint is intact/,
    );
  });

  it(
    "a model larger than the adapter binds is refused before any allocation, with its size and the limit",
    { skip: skipReason(probe) },
    async () => {
      const device = await openDevice();
      try {
        const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
        const items = Math.ceil(limit / 4 / 600) + 10; // W1 alone passes the limit
        await assert.rejects(
          GpuCvae.create(device, paramLayout({ items, conditions: 0, hidden: 600, latentDim: 200 })),
          /backend "webgpu": the model's parameters \(\d+ MiB\) exceed the largest buffer this adapter binds \(\d+ MiB\)/,
        );
      } finally {
        device.destroy();
      }
    },
  );
});

function skipReason(probe: Awaited<ReturnType<typeof probeAdapter>>): string | false {
  return probe.ok ? false : `no WebGPU adapter here: ${probe.reason}`;
}

describe("transposeBatch", () => {
  it("groups a batch's entries by W1 row, condition rows after the items, rows ascending within each", () => {
    const batch = randomBatch(new Rng(1), 4, { items: 6, conditions: 2, hidden: 1, latentDim: 1 });
    const t = transposeBatch(batch, 6, 2);
    const seen: string[] = [];
    for (let c = 0; c < t.colRow.length; c++) {
      const rows = Array.from(t.entRows.subarray(t.colPtr[c], t.colPtr[c + 1]));
      assert.deepEqual(
        rows,
        [...rows].sort((a, b) => a - b),
      );
      for (let k = t.colPtr[c]; k < t.colPtr[c + 1]; k++) seen.push(`${t.colRow[c]}:${t.entRows[k]}:${t.entValues[k]}`);
    }
    const expected: string[] = [];
    for (let r = 0; r < batch.rows; r++) {
      for (let k = batch.inPtr[r]; k < batch.inPtr[r + 1]; k++) expected.push(`${batch.inItems[k]}:${r}:${batch.inValues[k]}`);
      if (batch.cond[r] >= 0) expected.push(`${6 + batch.cond[r]}:${r}:1`);
    }
    assert.deepEqual([...seen].sort(), expected.sort());
    assert.deepEqual(
      Array.from(t.colRow),
      [...new Set(expected.map((e) => Number(e.split(":")[0])))].sort((a, b) => a - b),
    );
  });

  it("leaves out the condition rows of a model without conditions", () => {
    const batch = randomBatch(new Rng(2), 3, { items: 5, conditions: 2, hidden: 1, latentDim: 1 });
    const t = transposeBatch(batch, 5, 0);
    assert.ok(Array.from(t.colRow).every((w) => w < 5));
    assert.equal(t.entRows.length, batch.inPtr[3]);
  });
});
