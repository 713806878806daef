// A Jupyter kernel client in Node: starts the project's tslab kernel and speaks the
// Jupyter messaging protocol (v5.3) to it over ZeroMQ, so notebooks run headless with
// the kernel's own semantics (type-checking, top-level await, display) and no Python.
import { ChildProcess, spawn } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as zmq from "zeromq";

const DELIM = "<IDS|MSG>";
const PROTOCOL_VERSION = "5.3";

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export interface KernelMessage {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

export interface KernelOptions {
  /** Working directory of the kernel: the notebook's folder (tslab's rootDir). */
  cwd: string;
  /** Extra environment for the kernel process. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the kernel to answer (ms). */
  startTimeoutMs?: number;
  /** The Node script (and its arguments) run as the kernel, before `--config-path FILE`; tslab's by default. */
  kernelScript?: string[];
}

export interface ExecuteReply {
  status: "ok" | "error" | "abort";
  executionCount: number | null;
}

/** Path of the tslab command the project pins. */
export function tslabBin(): string {
  return join(dirname(require.resolve("tslab/package.json")), "bin", "tslab");
}

export class KernelClient {
  private readonly session = randomUUID();
  private readonly pendingReplies = new Map<string, (msg: KernelMessage) => void>();
  private readonly iopubListeners = new Map<string, (msg: KernelMessage) => void>();
  private readonly log: string[] = [];
  private exited: { code: number | null; signal: string | null } | null = null;
  private exitWaiters: (() => void)[] = [];
  private closed = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly key: string,
    private readonly shell: zmq.Dealer,
    private readonly control: zmq.Dealer,
    private readonly iopub: zmq.Subscriber,
    private readonly connectionDir: string,
  ) {}

  /**
   * Starts a tslab kernel in `cwd` and waits until both shell and iopub answer. tslab starts its
   * receive loops and binds its sockets at once; now and then a loop dies of it (EBUSY, "Socket is
   * blocked by a bind or unbind operation") and tslab closes that socket, so the kernel never
   * answers. Nothing is sent before every port listens, and a kernel that printed that error or
   * whose shell port stopped listening is replaced, up to twice.
   */
  static async start(options: KernelOptions): Promise<KernelClient> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await KernelClient.startOnce(options);
      } catch (err) {
        if (!(err instanceof KernelStartRaceError) || attempt === 3) throw err;
      }
    }
  }

  private static async startOnce(options: KernelOptions): Promise<KernelClient> {
    const { cwd, env = {}, startTimeoutMs = 60_000 } = options;
    const [shellPort, iopubPort, controlPort, stdinPort, hbPort] = await freePorts(5);
    const key = randomBytes(32).toString("hex");
    const connectionDir = mkdtempSync(join(tmpdir(), "cvae-kernel-"));
    const connectionFile = join(connectionDir, "kernel.json");
    const ip = "127.0.0.1";
    writeFileSync(
      connectionFile,
      JSON.stringify({
        transport: "tcp",
        ip,
        shell_port: shellPort,
        iopub_port: iopubPort,
        control_port: controlPort,
        stdin_port: stdinPort,
        hb_port: hbPort,
        key,
        signature_scheme: "hmac-sha256",
      }),
    );
    const child = spawn(process.execPath, [...(options.kernelScript ?? [tslabBin(), "kernel"]), "--config-path", connectionFile], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const shell = new zmq.Dealer({ linger: 0 });
    const control = new zmq.Dealer({ linger: 0 });
    const iopub = new zmq.Subscriber({ linger: 0 });
    shell.connect(`tcp://${ip}:${shellPort}`);
    control.connect(`tcp://${ip}:${controlPort}`);
    iopub.connect(`tcp://${ip}:${iopubPort}`);
    iopub.subscribe();
    const client = new KernelClient(child, key, shell, control, iopub, connectionDir);
    client.watchProcess();
    client.readLoop(shell, (msg) => client.pendingReplies.get(String(msg.parent_header.msg_id))?.(msg));
    client.readLoop(control, (msg) => client.pendingReplies.get(String(msg.parent_header.msg_id))?.(msg));
    client.readLoop(iopub, (msg) => client.iopubListeners.get(String(msg.parent_header.msg_id))?.(msg));
    try {
      await client.waitForReady([shellPort, iopubPort, controlPort, stdinPort, hbPort], startTimeoutMs);
    } catch (err) {
      await client.shutdown({ ask: false }); // a kernel that never became ready holds no work to save
      throw err;
    }
    return client;
  }

  /** Output the kernel process wrote outside of cells (startup warnings, crashes). */
  processLog(): string {
    return this.log.join("");
  }

  /**
   * Executes code and passes every iopub message of this request to `onOutput`.
   * Resolves once the reply has come and the kernel went idle for this request.
   */
  async execute(code: string, onOutput: (msg: KernelMessage) => void, timeoutMs = 0): Promise<ExecuteReply> {
    const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true };
    const request = this.message("execute_request", content);
    let idle!: () => void;
    const idleSeen = new Promise<void>((resolve) => (idle = resolve));
    this.iopubListeners.set(request.header.msg_id, (msg) => {
      if (msg.header.msg_type === "status") {
        if (msg.content.execution_state === "idle") idle();
      } else onOutput(msg);
    });
    try {
      const reply = await this.request(this.shell, request, timeoutMs, "execute_request");
      // Outputs of this request may still be in flight on iopub after the reply.
      await Promise.race([idleSeen, this.whenExited(), sleep(5_000)]);
      const status = reply.content.status;
      return {
        status: status === "ok" || status === "abort" ? status : "error",
        executionCount: typeof reply.content.execution_count === "number" ? reply.content.execution_count : null,
      };
    } finally {
      this.iopubListeners.delete(request.header.msg_id);
    }
  }

  /** Interrupts the running cell the way Jupyter does for tslab (interrupt_mode "signal"). */
  interrupt(): void {
    if (!this.exited) this.child.kill("SIGINT");
  }

  /** Asks the kernel to shut down (unless `ask` is false), then makes sure the process is gone. */
  async shutdown(options: { ask: boolean } = { ask: true }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.exited) {
      if (options.ask) {
        try {
          await this.request(this.control, this.message("shutdown_request", { restart: false }), 3_000, "shutdown_request");
        } catch {
          // killed below
        }
        await Promise.race([this.whenExited(), sleep(2_000)]);
      }
      if (!this.exited) this.child.kill("SIGKILL");
      await Promise.race([this.whenExited(), sleep(2_000)]);
    }
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    rmSync(this.connectionDir, { recursive: true, force: true });
  }

  private async waitForReady(ports: number[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.exited && Date.now() < deadline && !(await allListening(ports))) await sleep(50);
    // kernel_info on shell proves the kernel is up; an iopub status for one of our
    // requests proves our subscription is live (ZeroMQ's slow-joiner problem).
    while (Date.now() < deadline) {
      const request = this.message("kernel_info_request", {});
      let sawIopub = false;
      this.iopubListeners.set(request.header.msg_id, () => (sawIopub = true));
      try {
        await this.request(this.shell, request, Math.max(1, Math.min(2_000, deadline - Date.now())), "kernel_info_request");
        for (let i = 0; i < 10 && !sawIopub; i++) await sleep(20);
        if (sawIopub) return;
      } catch (err) {
        if (this.exited) throw err;
        // tslab's start race kills its shell loop and closes the shell socket: its port stops listening.
        if (hitStartRace(this.processLog()) || !(await allListening(ports)))
          throw new KernelStartRaceError(`the tslab kernel lost its shell socket at start\n${this.processLog()}`);
      } finally {
        this.iopubListeners.delete(request.header.msg_id);
      }
    }
    throw new Error(`the tslab kernel did not become ready within ${timeoutMs} ms\n${this.processLog()}`);
  }

  private message(msgType: string, content: Record<string, unknown>): KernelMessage {
    return {
      header: {
        msg_id: randomUUID(),
        msg_type: msgType,
        session: this.session,
        username: "cvae",
        date: new Date().toISOString(),
        version: PROTOCOL_VERSION,
      },
      parent_header: {},
      metadata: {},
      content,
    };
  }

  private async request(socket: zmq.Dealer, msg: KernelMessage, timeoutMs: number, what: string): Promise<KernelMessage> {
    const id = msg.header.msg_id;
    let timer: NodeJS.Timeout | undefined;
    let onExit: (() => void) | undefined;
    const reply = new Promise<KernelMessage>((resolve, reject) => {
      this.pendingReplies.set(id, resolve);
      onExit = () =>
        reject(
          new Error(`the kernel exited (code ${this.exited?.code}, signal ${this.exited?.signal}) during ${what}\n${this.processLog()}`),
        );
      if (this.exited) onExit();
      else this.exitWaiters.push(onExit);
      if (timeoutMs > 0) timer = setTimeout(() => reject(new KernelTimeoutError(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    // A send waits until the kernel's socket takes it; if that socket is gone (tslab's start race closes
    // the shell), the reply's timeout or the kernel's exit must still end the request.
    const sent = socket.send(this.frames(msg));
    sent.catch(() => undefined);
    try {
      await Promise.race([sent, reply]);
      return await reply;
    } finally {
      this.pendingReplies.delete(id);
      if (timer) clearTimeout(timer);
      this.exitWaiters = this.exitWaiters.filter((w) => w !== onExit);
    }
  }

  private frames(msg: KernelMessage): string[] {
    const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) => JSON.stringify(p));
    const hmac = createHmac("sha256", this.key);
    for (const p of parts) hmac.update(p);
    return [DELIM, hmac.digest("hex"), ...parts];
  }

  private parse(frames: Buffer[]): KernelMessage | null {
    const at = frames.findIndex((f) => f.toString() === DELIM);
    if (at < 0 || frames.length < at + 6) return null;
    const parts = frames.slice(at + 2, at + 6);
    const hmac = createHmac("sha256", this.key);
    for (const p of parts) hmac.update(p);
    if (hmac.digest("hex") !== frames[at + 1].toString()) return null; // not signed with our key: ignore
    const [header, parent_header, metadata, content] = parts.map((p) => JSON.parse(p.toString()));
    return { header, parent_header, metadata, content };
  }

  private readLoop(socket: zmq.Dealer | zmq.Subscriber, handle: (msg: KernelMessage) => void): void {
    void (async () => {
      try {
        for await (const frames of socket) {
          const msg = this.parse(frames as Buffer[]);
          if (msg) handle(msg);
        }
      } catch {
        // the socket was closed
      }
    })();
  }

  private watchProcess(): void {
    const keep = (chunk: Buffer) => {
      this.log.push(chunk.toString());
      if (this.log.length > 200) this.log.splice(0, this.log.length - 200);
    };
    this.child.stdout?.on("data", keep);
    this.child.stderr?.on("data", keep);
    const onGone = (code: number | null, signal: string | null) => {
      if (this.exited) return;
      this.exited = { code, signal };
      for (const w of this.exitWaiters) w();
      this.exitWaiters = [];
    };
    this.child.on("exit", onGone);
    // Spawning itself can fail (missing cwd, no Node binary): report it like an exit.
    this.child.on("error", (err) => {
      this.log.push(`failed to start the kernel: ${err.message}\n`);
      onGone(null, null);
    });
  }

  private whenExited(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }
}

export class KernelTimeoutError extends Error {}

/** A kernel whose shell loop died of tslab's start race (see KernelClient.start): start another. */
export class KernelStartRaceError extends Error {}

/** Whether a kernel's output shows tslab's start race: a socket used while another was still binding. */
export function hitStartRace(log: string): boolean {
  return /EBUSY|Socket is blocked by a bind or unbind operation/.test(log);
}

/** Whether every port accepts a TCP connection on 127.0.0.1 (a kernel's sockets are bound). */
export async function allListening(ports: number[]): Promise<boolean> {
  const accepts = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: "127.0.0.1" });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
  return (await Promise.all(ports.map(accepts))).every(Boolean);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Ports the OS says are free right now (bound to port 0, then released). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === "string") throw new Error("no TCP port was assigned");
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
