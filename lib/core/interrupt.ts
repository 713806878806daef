// Owning SIGINT for the length of a long job (training): the first interrupt asks the job to stop
// at its next safe point, a second one is handed to whoever listened before (tslab's kernel
// rejects the running cell; with no listener, Node's default ends the process). Without this,
// tslab ends the cell at once with a stack trace while the job keeps running in the background.
import { inspect } from "node:util";

type SignalListener = (signal: NodeJS.Signals) => void;

export interface InterruptOptions {
  /** Called on the first interrupt. */
  onFirst(): void;
  /** Called on the second interrupt, before it is passed on. */
  onSecond?(): void;
}

/**
 * Takes SIGINT from its current listeners until the returned release function is called (which
 * gives them back). Nested takes work: the inner one sees the outer one as its previous listener.
 */
export function takeInterrupts(options: InterruptOptions): () => void {
  const previous = process.listeners("SIGINT") as SignalListener[];
  let count = 0;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("SIGINT", listener);
    for (const l of previous) if (!process.listeners("SIGINT").includes(l)) process.on("SIGINT", l);
  };
  const listener: SignalListener = (signal) => {
    count += 1;
    if (count === 1) {
      options.onFirst();
      return;
    }
    options.onSecond?.();
    release();
    if (previous.length) for (const l of previous) l(signal);
    else process.kill(process.pid, "SIGINT");
  };
  for (const l of previous) process.off("SIGINT", l);
  process.on("SIGINT", listener);
  return release;
}

/**
 * An error shown as one line (its message) where an error is printed with util.inspect, as
 * tslab prints a failing cell's error: for an expected stop such as an interrupt, which needs
 * no stack trace. It still fails the cell, so "Run All" stops there.
 */
export class OneLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OneLineError";
  }

  [inspect.custom](): string {
    return this.message;
  }
}
