// Display messages to the kernel, in order, through a busy iopub socket. zeromq.js defers one
// send in every 512 made without a turn of the event loop, and until that turn any further send
// on the socket throws EBUSY ("only one send operation may be in progress"). A training whose
// epochs take milliseconds (notebook 03's Mult-VAE) sends its status and curves faster than
// that, and the cell died of it. Messages that meet a busy socket wait here, in order, and go
// out on the next turns; an in-place update replaces a waiting update of the same display
// (only the latest content matters). flushDisplays() lets async code wait until all are out.

export interface QueuedBundle {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient?: { display_id?: string };
}

export type DisplaySink = (bundle: QueuedBundle, update: boolean) => void;

interface Waiting {
  sink: DisplaySink;
  bundle: QueuedBundle;
  update: boolean;
}

const waiting: Waiting[] = [];
let scheduled = false;
let settled: (() => void)[] = [];

function isBusy(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === "EBUSY";
}

function drain(): void {
  scheduled = false;
  while (waiting.length > 0) {
    const next = waiting[0];
    try {
      next.sink(next.bundle, next.update);
    } catch (err) {
      if (!isBusy(err)) {
        waiting.length = 0;
        throw err;
      }
      schedule();
      return;
    }
    waiting.shift();
  }
  const done = settled;
  settled = [];
  for (const resolve of done) resolve();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(drain);
}

/** Sends a display message now, or after the messages already waiting when the socket is busy. */
export function deliver(sink: DisplaySink, bundle: QueuedBundle, update: boolean): void {
  if (waiting.length === 0) {
    try {
      sink(bundle, update);
      return;
    } catch (err) {
      if (!isBusy(err)) throw err;
    }
  } else if (update) {
    // An update of the display waiting last replaces its content (a display not shown yet stays a
    // new display); behind other messages it waits its turn, so the order of outputs holds.
    const last = waiting[waiting.length - 1];
    const id = bundle.transient?.display_id;
    if (id !== undefined && last.bundle.transient?.display_id === id) {
      last.bundle = bundle;
      return;
    }
  }
  waiting.push({ sink, bundle, update });
  schedule();
}

/** Messages still waiting for the socket. */
export function waitingDisplays(): number {
  return waiting.length;
}

/** Resolves when every waiting message is out (at once when none waits). */
export function flushDisplays(): Promise<void> {
  if (waiting.length === 0) return Promise.resolve();
  return new Promise((resolve) => settled.push(resolve));
}
