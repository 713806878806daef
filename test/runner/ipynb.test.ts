import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KernelMessage } from "../../lib/runner/kernel";
import { collapseCarriageReturns, errorFromStderr, type Output, OutputCollector, splitLines, stripAnsi } from "../../lib/runner/ipynb";

function msg(type: string, content: Record<string, unknown>): KernelMessage {
  return {
    header: { msg_id: "m", msg_type: type, session: "s", username: "u", date: "", version: "5.3" },
    parent_header: {},
    metadata: {},
    content,
  };
}

describe("OutputCollector.handle(msg, outputs)", () => {
  it("merges consecutive stream messages of the same name only", () => {
    const c = new OutputCollector();
    const out: Output[] = [];
    for (const [name, text] of [
      ["stdout", "a"],
      ["stdout", "b"],
      ["stderr", "c"],
      ["stdout", "d"],
    ])
      c.handle(msg("stream", { name, text }), out);
    assert.deepEqual(
      out.map((o) => o.output_type === "stream" && [o.name, o.text]),
      [
        ["stdout", "ab"],
        ["stderr", "c"],
        ["stdout", "d"],
      ],
    );
  });
  it("replaces every earlier output with the same display id on update_display_data, across cells", () => {
    const c = new OutputCollector();
    const cell1: Output[] = [];
    const cell2: Output[] = [];
    c.handle(msg("display_data", { data: { "text/plain": "v1" }, metadata: {}, transient: { display_id: "d" } }), cell1);
    c.handle(msg("update_display_data", { data: { "text/plain": "v2" }, metadata: {}, transient: { display_id: "d" } }), cell2);
    assert.equal(cell2.length, 0);
    assert.equal(cell1[0].output_type === "display_data" && cell1[0].data["text/plain"], "v2");
  });
  it("keeps execute_result and error messages and honours clear_output", () => {
    const c = new OutputCollector();
    const out: Output[] = [];
    c.handle(msg("execute_result", { execution_count: 3, data: { "text/plain": "1" }, metadata: {} }), out);
    c.handle(msg("error", { ename: "E", evalue: "v", traceback: ["t"] }), out);
    assert.deepEqual(
      out.map((o) => o.output_type),
      ["execute_result", "error"],
    );
    c.handle(msg("clear_output", { wait: false }), out);
    assert.equal(out.length, 0);
  });
});

describe("errorFromStderr(stderr)", () => {
  it("finds the thrown error's name and message below Node's source excerpt", () => {
    const e = errorFromStderr(
      "/x/lib/params.js:77\n      throw new Error(`bad`);\n      ^\n\nError: notebook " +
        'ok: unknown parameter "p"\n    at notebookParams (/x/lib/params.js:77:13)',
    );
    assert.equal(e.ename, "Error");
    assert.equal(e.evalue, 'notebook ok: unknown parameter "p"');
    assert.equal(e.traceback.length, 6);
  });
  it("reads Node error codes and TypeScript diagnostics", () => {
    assert.deepEqual(
      [
        errorFromStderr("TypeError [ERR_INVALID_ARG_TYPE]: bad arg").ename,
        errorFromStderr("TypeError [ERR_INVALID_ARG_TYPE]: bad arg").evalue,
      ],
      ["TypeError", "bad arg"],
    );
    const ts = errorFromStderr("3:7 - Type 'number' is not assignable to type 'string'.");
    assert.equal(ts.ename, "TypeScriptError");
  });
  it("still produces an error when there is no message at all", () => {
    assert.equal(errorFromStderr("").evalue, "the cell failed without a message");
  });
});

describe("text helpers", () => {
  it("splitLines keeps newlines like Jupyter's line lists", () => {
    assert.deepEqual(splitLines("a\nb\n"), ["a\n", "b\n"]);
    assert.deepEqual(splitLines("a\nb"), ["a\n", "b"]);
    assert.deepEqual(splitLines(""), []);
  });
  it("collapseCarriageReturns keeps what a terminal would show", () => {
    assert.equal(collapseCarriageReturns("10%\r50%\r100%\ndone"), "100%\ndone");
    assert.equal(collapseCarriageReturns("abc\r"), "abc");
  });
  it("stripAnsi removes colour codes", () => {
    assert.equal(stripAnsi("\u001b[31mred\u001b[0m"), "red");
  });
});
