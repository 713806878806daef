// nbformat 4 notebooks: reading, writing (atomically, with line-split sources like
// Jupyter), and turning kernel iopub messages into cell outputs.
import { readFileSync } from "node:fs";
import { requireRegularFile, writeFileAtomic } from "../core/fs";
import type { KernelMessage } from "./kernel";

export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown> & { tags?: string[] };
  outputs: Output[];
  execution_count: number | null;
}
export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: Record<string, unknown> & { tags?: string[] };
  attachments?: Record<string, unknown>;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** Reads and checks a notebook file; errors name the file. */
export function readNotebook(path: string): Notebook {
  let nb: Notebook;
  requireRegularFile(path, "a notebook (.ipynb)");
  try {
    nb = JSON.parse(readFileSync(path, "utf8")) as Notebook;
  } catch (err) {
    throw new Error(`${path}: not a readable notebook (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new Error(`${path}: expected an nbformat 4 notebook with a "cells" list`);
  }
  return nb;
}

/** Writes a notebook as Jupyter does (1-space indent, sources split into lines), atomically. */
export function writeNotebook(path: string, nb: Notebook): void {
  const cells = nb.cells.map((cell) => {
    const out: Record<string, unknown> = { ...cell, source: splitLines(joinSource(cell.source)) };
    if (cell.cell_type === "code") {
      out.outputs = cell.outputs.map((o) => (o.output_type === "stream" ? { ...o, text: splitLines(joinSource(o.text)) } : o));
    }
    return out;
  });
  writeFileAtomic(path, JSON.stringify({ ...nb, cells }, null, 1) + "\n");
}

export function joinSource(source: MultilineString): string {
  return Array.isArray(source) ? source.join("") : source;
}

/** "a\nb" -> ["a\n", "b"], the layout Jupyter writes. */
export function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === "" ? [] : lines;
}

export function hasTag(cell: Cell, tag: string): boolean {
  return Array.isArray(cell.metadata.tags) && cell.metadata.tags.includes(tag);
}

/**
 * Collects outputs of one notebook run from iopub messages. Streams of the same name
 * merge; update_display_data replaces every earlier output with that display id,
 * in any cell, as Jupyter front ends do.
 */
export class OutputCollector {
  private readonly byDisplayId = new Map<string, DisplayDataOutput[]>();

  handle(msg: KernelMessage, outputs: Output[]): void {
    const content = msg.content;
    switch (msg.header.msg_type) {
      case "stream": {
        const name = content.name === "stderr" ? "stderr" : "stdout";
        const text = String(content.text ?? "");
        const last = outputs[outputs.length - 1];
        if (last && last.output_type === "stream" && last.name === name) last.text = joinSource(last.text) + text;
        else outputs.push({ output_type: "stream", name, text });
        break;
      }
      case "display_data":
      case "update_display_data": {
        const output: DisplayDataOutput = {
          output_type: "display_data",
          data: (content.data as Record<string, unknown>) ?? {},
          metadata: (content.metadata as Record<string, unknown>) ?? {},
        };
        const displayId = (content.transient as { display_id?: string } | undefined)?.display_id;
        if (msg.header.msg_type === "update_display_data") {
          for (const target of (displayId && this.byDisplayId.get(displayId)) || []) {
            target.data = output.data;
            target.metadata = output.metadata;
          }
          break;
        }
        outputs.push(output);
        if (displayId) this.byDisplayId.set(displayId, [...(this.byDisplayId.get(displayId) ?? []), output]);
        break;
      }
      case "execute_result":
        outputs.push({
          output_type: "execute_result",
          execution_count: typeof content.execution_count === "number" ? content.execution_count : null,
          data: (content.data as Record<string, unknown>) ?? {},
          metadata: (content.metadata as Record<string, unknown>) ?? {},
        });
        break;
      case "error":
        outputs.push({
          output_type: "error",
          ename: String(content.ename ?? "Error"),
          evalue: String(content.evalue ?? ""),
          traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
        });
        break;
      case "clear_output":
        outputs.length = 0;
        break;
      default:
        break; // execute_input, comm messages: nothing to store
    }
  }
}

/**
 * tslab reports a failed cell only as stderr text (empty ename/evalue), so the error
 * output is rebuilt from it: the last "Name: message" line, or TypeScript diagnostics.
 */
// "RangeError: msg", "Error [ERR_X]: msg", "Uncaught MyException: msg"
const THROWN_LINE = /^(?:Uncaught )?((?:[A-Za-z_$][\w$]*)?(?:Error|Exception))(?: \[\w+\])?: ?(.*)$/;

export function errorFromStderr(stderr: string): ErrorOutput {
  const text = stripAnsi(stderr).trim();
  const lines = text ? text.split("\n") : [];
  const diagnostic = lines.find((l) => /^\d+:\d+ - /.test(l));
  let ename = "Error";
  let evalue = text ? lines[0] : "the cell failed without a message";
  for (const line of lines) {
    const m = THROWN_LINE.exec(line);
    if (m) {
      ename = m[1];
      evalue = m[2];
      return { output_type: "error", ename, evalue, traceback: lines };
    }
  }
  if (diagnostic) {
    ename = "TypeScriptError";
    evalue = diagnostic;
  }
  return { output_type: "error", ename, evalue, traceback: lines };
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
}

/** Text as a terminal shows it: only what follows the last carriage return of each line. */
export function collapseCarriageReturns(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const parts = line.split("\r");
      for (let i = parts.length - 1; i >= 0; i--) if (parts[i] !== "") return parts[i];
      return "";
    })
    .join("\n");
}
