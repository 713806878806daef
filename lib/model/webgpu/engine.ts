// The training engine of the "webgpu" backend: the TrainingEngine contract of ../engine.ts over a
// model resident on the GPU (gpu-cvae.ts). Steps are submitted without waiting; their losses
// come back a few steps later through a ring of slots read every READ_EVERY steps, so the queue
// never stalls on a read. The host copy of the weights (`buffers`) is brought up to date by
// sync() before a checkpoint or a best-weights copy, and pushed up by load() after a resume.
/// <reference types="@webgpu/types" />
import { allocate, type ParamLayout } from "../parameters";
import type { SparseBatch } from "../batch";
import type { StepLoss } from "../backward";
import { topKExcluding } from "../top-k";
import type { EngineBuffers, TrainingEngine } from "../engine";
import { type AdapterInfo, openDevice, probeAdapter } from "./device";
import { GpuCvae, LOSS_SLOTS } from "./gpu-cvae";

/** Steps between loss reads (a read covers this many slots of the ring). */
export const READ_EVERY = 8;
/** Loss reads in flight before a step waits for the oldest: the CPU runs at most this many reads ahead. */
const READS_IN_FLIGHT = 4;

const ZERO: StepLoss = { nllSum: 0, klSum: 0, rows: 0 };

function add(a: StepLoss, b: StepLoss): StepLoss {
  return { nllSum: a.nllSum + b.nllSum, klSum: a.klSum + b.klSum, rows: a.rows + b.rows };
}

export class WebGpuEngine implements TrainingEngine {
  readonly threads = 1;
  profile: Record<string, number> | null = null;
  private closed = false;
  /** Rows of the steps submitted since the last read was started, slot by slot. */
  private unread: number[] = [];
  private firstUnreadSlot = 0;
  private reads: { done: Promise<StepLoss>; settled: boolean }[] = [];
  private settled: StepLoss = ZERO;
  private readCount = 0;

  private constructor(
    readonly layout: ParamLayout,
    readonly buffers: EngineBuffers,
    private readonly model: GpuCvae,
    readonly adapter: AdapterInfo,
  ) {}

  /** Opens the adapter's device and allocates the model on it (host copies zeroed: fill `buffers`, then load()). */
  static async create(layout: ParamLayout): Promise<WebGpuEngine> {
    const probe = await probeAdapter();
    if (!probe.ok) throw new Error(`backend "webgpu": ${probe.reason}; use CVAE_BACKEND=blas`);
    const device = await openDevice();
    const model = await GpuCvae.create(device, layout);
    const buffers: EngineBuffers = {
      params: allocate(layout.size, false),
      adam: { m: allocate(layout.size, false), v: allocate(layout.size, false), step: 0 },
    };
    return new WebGpuEngine(layout, buffers, model, probe.info);
  }

  /** GPU memory the model's buffers hold, in bytes. */
  /** The softmax reduces through subgroups on this engine's device (reductions.ts). */
  get subgroups(): boolean {
    return this.model.subgroups;
  }

  get gpuBytes(): number {
    return this.model.gpu.bytes();
  }

  load(): void {
    this.assertOpen();
    this.model.write(this.buffers.params, this.buffers.adam.m, this.buffers.adam.v);
  }

  async sync(): Promise<void> {
    this.assertOpen();
    const { params, m, v } = await this.model.read();
    this.buffers.params.set(params);
    this.buffers.adam.m.set(m);
    this.buffers.adam.v.set(v);
  }

  async step(batch: SparseBatch, beta: number, lr: number): Promise<StepLoss> {
    this.assertOpen();
    const step = this.buffers.adam.step + 1;
    const slot = (this.firstUnreadSlot + this.unread.length) % LOSS_SLOTS;
    this.model.step(batch, beta, lr, step, slot);
    this.buffers.adam.step = step;
    this.unread.push(batch.rows);
    if (this.unread.length >= READ_EVERY) this.startRead();
    while (this.reads.length > READS_IN_FLIGHT) await this.takeOldest();
    return this.takeSettled();
  }

  async flush(): Promise<StepLoss> {
    this.assertOpen();
    if (this.unread.length) this.startRead();
    while (this.reads.length) await this.takeOldest();
    return this.takeSettled();
  }

  async rank(batch: SparseBatch, k: number): Promise<Int32Array> {
    this.assertOpen();
    return topKExcluding(await this.model.scores(batch), batch, this.layout.dims.items, k);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Reads still in flight settle (or fail) before the device goes.
    await Promise.allSettled(this.reads.map((r) => r.done));
    this.model.destroy();
  }

  /** Starts reading the unread slots (they never wrap: reads start on multiples of READ_EVERY, which divides LOSS_SLOTS). */
  private startRead(): void {
    const from = this.firstUnreadSlot;
    const rows = this.unread;
    const to = from + rows.length;
    this.unread = [];
    // The next read starts on a multiple of READ_EVERY, so no read runs past the ring's end.
    this.firstUnreadSlot = (Math.ceil(to / READ_EVERY) * READ_EVERY) % LOSS_SLOTS;
    const staging = `loss-${this.readCount++ % (READS_IN_FLIGHT + 1)}`;
    const entry = { done: Promise.resolve(ZERO), settled: false };
    entry.done = this.model.readLosses(from, to, staging).then((values) => {
      let loss = ZERO;
      rows.forEach((n, i) => {
        loss = add(loss, { nllSum: values[2 * i], klSum: values[2 * i + 1], rows: n });
      });
      entry.settled = true;
      return loss;
    });
    // A failed read is reported when it is taken (takeOldest, close), not as an unhandled rejection meanwhile.
    entry.done.catch(() => undefined);
    this.reads.push(entry);
  }

  private async takeOldest(): Promise<void> {
    const oldest = this.reads[0];
    const loss = await oldest.done;
    this.reads.shift();
    this.settled = add(this.settled, loss);
  }

  /** The losses of every read that has arrived, in submission order, since the last call. */
  private async takeSettled(): Promise<StepLoss> {
    while (this.reads.length && this.reads[0].settled) await this.takeOldest();
    const out = this.settled;
    this.settled = ZERO;
    return out;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("engine: already closed");
  }
}
