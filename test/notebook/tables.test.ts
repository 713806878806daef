import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type { DisplayBundle } from "../../lib/notebook/display";
import { showDataFrame, toDataFrame } from "../../lib/notebook/tables";

const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: ((b: DisplayBundle, update: boolean) => void) | null };
afterEach(() => {
  jupyter.lastWriteDisplayData = null;
});

describe("toDataFrame(rows, columns)", () => {
  it("builds a danfojs DataFrame with the rows' keys as columns", () => {
    const df = toDataFrame([
      { genre: "Drama", movies: 10 },
      { genre: "War", movies: 2 },
    ]);
    assert.deepEqual(df.columns, ["genre", "movies"]);
    assert.deepEqual(df.values, [
      ["Drama", 10],
      ["War", 2],
    ]);
  });
  it("rejects rows with other keys, naming the row", () => {
    assert.throws(() => toDataFrame([{ a: 1 }, { b: 2 }] as { a?: number; b?: number }[]), /row 1 has columns b; expected a/);
  });
});

describe("showDataFrame(df, options)", () => {
  it("shows an escaped HTML table, at most maxRows rows, and says how many were left out", () => {
    const shown: DisplayBundle[] = [];
    jupyter.lastWriteDisplayData = (b) => shown.push(b);
    const df = toDataFrame(Array.from({ length: 5 }, (_, i) => ({ title: `<img src=x onerror=alert(${i})>`, n: i })));
    showDataFrame(df, { caption: "Titles", maxRows: 3 });
    const html = String(shown[0].data["text/html"]);
    assert.ok(!html.includes("<img"));
    assert.equal((html.match(/<tr>/g) ?? []).length, 4); // header + 3 rows
    assert.match(html, /Titles \(first 3 of 5 rows\)/);
  });
});
