// GPU buffers, pipelines and dispatches for the kernels of kernels.ts: buffers grow on demand
// (a batch's entries vary), bind groups are rebuilt only when a buffer they name was replaced,
// each dispatch site has its own small uniform (so one submit may hold many dispatches), and
// every failure names the backend, what it was doing and the way out.
/// <reference types="@webgpu/types" />

export type UniformField = number | { f32: number };

const FALLBACK = "use CVAE_BACKEND=blas to train on the CPU; the last checkpoint is intact";

export class GpuResources {
  private readonly buffers = new Map<string, GPUBuffer>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly bindings = new Map<string, { buffers: GPUBuffer[]; group: GPUBindGroup; uniform: GPUBuffer }>();
  private failure: Error | null = null;
  private destroyed = false;

  constructor(readonly device: GPUDevice) {
    device.lost.then((info) => {
      if (!this.destroyed) this.fail(`the GPU device was lost (${info.reason}: ${info.message || "no message"})`);
    });
    device.addEventListener("uncapturederror", (event) => {
      const error = (event as GPUUncapturedErrorEvent).error;
      this.fail(`${error.constructor.name}: ${error.message.split("\n")[0]}`);
    });
  }

  private fail(what: string): void {
    this.failure ??= new Error(`backend "webgpu": ${what}; ${FALLBACK}`);
  }

  /** Throws the first error the device reported (lost device, validation, out of memory). */
  check(): void {
    if (this.destroyed) throw new Error('backend "webgpu": already closed');
    if (this.failure) throw this.failure;
  }

  /** A storage buffer named `name` of at least `bytes` (replaced, contents lost, when smaller). */
  buffer(name: string, bytes: number, extraUsage = 0): GPUBuffer {
    const need = Math.max(16, Math.ceil(bytes / 16) * 16);
    const have = this.buffers.get(name);
    if (have && have.size >= need) return have;
    have?.destroy();
    // Grow by half again, so a batch a little larger than the last does not reallocate each time.
    const size = have ? Math.max(need, Math.ceil((have.size * 1.5) / 16) * 16) : need;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | extraUsage;
    const created = this.device.createBuffer({ size, usage, label: name });
    this.buffers.set(name, created);
    return created;
  }

  /** The buffer `name` holding `data` (grown when needed). */
  upload(name: string, data: Float32Array | Int32Array): GPUBuffer {
    const buf = this.buffer(name, data.byteLength);
    if (data.length > 0) this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  }

  /**
   * Compiles pipelines ahead of use, so the first step does not wait on the shader compiler.
   * Synchronously: Dawn's createComputePipelineAsync crashed the process (a futex error in Dawn's
   * event processing) in 2 of 5 runs on Mesa's llvmpipe.
   */
  prepare(pipelines: [string, () => string][]): void {
    for (const [key, code] of pipelines) this.pipeline(key, code);
  }

  pipeline(key: string, code: () => string): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code: code(), label: key });
      p = this.device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" }, label: key });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /**
   * Records one dispatch at call site `site`: its storage buffers in binding order, then its
   * uniform (u32 numbers and { f32 } values, in the WGSL struct's order), and the group counts.
   */
  dispatch(
    pass: GPUComputePassEncoder,
    site: string,
    pipeline: GPUComputePipeline,
    storage: GPUBuffer[],
    uniform: UniformField[],
    groups: [number, number?, number?],
  ): void {
    const [x, y = 1, z = 1] = groups;
    if (x === 0 || y === 0 || z === 0) return;
    let b = this.bindings.get(site);
    if (!b || b.buffers.length !== storage.length || b.buffers.some((buf, i) => buf !== storage[i])) {
      const uniformBuffer = b?.uniform ?? this.device.createBuffer({ size: 64, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      const entries = [...storage, uniformBuffer].map((buffer, binding) => ({ binding, resource: { buffer } }));
      const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label: site });
      b = { buffers: [...storage], group, uniform: uniformBuffer };
      this.bindings.set(site, b);
    }
    const data = new ArrayBuffer(Math.ceil((uniform.length * 4) / 16) * 16);
    const u32 = new Uint32Array(data);
    const f32 = new Float32Array(data);
    uniform.forEach((v, i) => {
      if (typeof v === "number") u32[i] = v;
      else f32[i] = v.f32;
    });
    this.device.queue.writeBuffer(b.uniform, 0, data);
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, b.group);
    pass.dispatchWorkgroups(x, y, z);
  }

  /** Copies `bytes` of `source` from `offset` into a mapped buffer and returns them (waits for the queue). */
  async read(source: GPUBuffer, bytes: number, offset = 0, staging = "read"): Promise<ArrayBuffer> {
    this.check();
    const out = this.stagingBuffer(staging, bytes);
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(source, offset, out, 0, Math.ceil(bytes / 4) * 4);
    this.device.queue.submit([enc.finish()]);
    try {
      await out.mapAsync(GPUMapMode.READ, 0, Math.ceil(bytes / 4) * 4);
    } catch (err) {
      this.check();
      throw new Error(`backend "webgpu": reading results back failed (${String(err)}); ${FALLBACK}`, { cause: err });
    }
    const copy = out.getMappedRange(0, Math.ceil(bytes / 4) * 4).slice(0, bytes);
    out.unmap();
    this.check();
    return copy;
  }

  /** A MAP_READ buffer named `name` of at least `bytes`. */
  stagingBuffer(name: string, bytes: number): GPUBuffer {
    const key = `staging:${name}`;
    const need = Math.max(16, Math.ceil(bytes / 16) * 16);
    const have = this.buffers.get(key);
    if (have && have.size >= need) return have;
    have?.destroy();
    const created = this.device.createBuffer({ size: need, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: key });
    this.buffers.set(key, created);
    return created;
  }

  /** Bytes of GPU memory this model's buffers hold. */
  bytes(): number {
    let total = 0;
    for (const b of this.buffers.values()) total += b.size;
    return total;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of this.buffers.values()) b.destroy();
    this.buffers.clear();
    this.device.destroy();
  }
}

/** Group counts covering n items with groups of `size`, split over y when x would pass 65,535. */
export function grid(n: number, size: number): [number, number] {
  const groups = Math.ceil(n / size);
  if (groups <= 65535) return [groups, 1];
  return [65535, Math.ceil(groups / 65535)];
}
