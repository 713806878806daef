import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import {
  figureBundle,
  figureHtml,
  LiveDisplay,
  PLOTLY_LOADER_META,
  PLOTLY_MIME,
  plotlyScript,
  show,
  showTable,
  type DisplayBundle,
} from "../../lib/notebook/display";
import type { Figure } from "../../lib/figures/plots";

// The kernel's display sink; tests install a recorder in its place.
const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: ((b: DisplayBundle, update: boolean) => void) | null };

function recordDisplays(): { bundles: DisplayBundle[]; updates: boolean[] } {
  const rec = { bundles: [] as DisplayBundle[], updates: [] as boolean[] };
  jupyter.lastWriteDisplayData = (b, update) => {
    rec.bundles.push(b);
    rec.updates.push(update);
  };
  return rec;
}

const fig: Figure = { data: [{ type: "scatter", x: [1, 2], y: [3, 4] }], layout: { title: { text: "t" } } };

afterEach(() => {
  jupyter.lastWriteDisplayData = null;
});

describe("figureBundle(fig)", () => {
  it("holds the Plotly JSON, an HTML rendering and a text stand-in in one bundle", () => {
    const b = figureBundle(fig);
    assert.deepEqual(Object.keys(b.data).sort(), ["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    assert.deepEqual((b.data[PLOTLY_MIME] as Figure).data, fig.data);
    assert.equal(b.data["text/plain"], "[figure: t; 1 trace]");
  });
});

describe("figureHtml(fig, id)", () => {
  it("embeds data that cannot break out of the script element", () => {
    const html = figureHtml({ data: [{ type: "bar", x: ["</script><img src=x onerror=alert(1)>"], y: [1] }] }, "f1");
    assert.equal(html.match(/<\/script>/g)?.length, 1);
    assert.ok(!html.includes("<img"));
    assert.match(html, /id="f1"/);
  });
});

describe("show(fig) in a kernel", () => {
  it("sends plotly.js once, before the first figure, and one bundle per figure", () => {
    const rec = recordDisplays();
    show(fig);
    show(fig);
    // This is the first figure shown in this test process, so the loader must come first.
    assert.equal(rec.bundles.length, 3);
    assert.equal(rec.bundles[0].metadata[PLOTLY_LOADER_META], true);
    assert.match(String(rec.bundles[0].data["text/html"]), /^<script>/);
    assert.ok(PLOTLY_MIME in rec.bundles[1].data && PLOTLY_MIME in rec.bundles[2].data);
    show(fig);
    assert.equal(rec.bundles.filter((b) => b.metadata[PLOTLY_LOADER_META]).length, 1);
  });
  it("prints a one-line stand-in outside a kernel", (t) => {
    const logs: string[] = [];
    t.mock.method(console, "log", (s: string) => logs.push(s));
    show(fig);
    assert.deepEqual(logs, ["[figure: t; 1 trace]"]);
  });
});

describe("showTable(columns, rows)", () => {
  it("sends an escaped HTML table with a text fallback", () => {
    const rec = recordDisplays();
    showTable(["title"], [["<img src=x onerror=alert(1)>"]]);
    const html = String(rec.bundles[0].data["text/html"]);
    assert.ok(!html.includes("<img"));
    assert.equal(rec.bundles[0].data["text/plain"], "title\n<img src=x onerror=alert(1)>");
  });
});

describe("LiveDisplay", () => {
  it("shows once, then updates the same display id in place", () => {
    const rec = recordDisplays();
    const live = new LiveDisplay();
    live.update({ text: "epoch 1" });
    live.update({ text: "epoch 2" });
    const textBundles = rec.bundles.filter((b) => !b.metadata[PLOTLY_LOADER_META]);
    assert.equal(textBundles.length, 2);
    assert.equal(textBundles[0].transient?.display_id, textBundles[1].transient?.display_id);
    assert.deepEqual(rec.updates.slice(-2), [false, true]);
  });
});

describe("plotlyScript()", () => {
  it("is the plotly.js bundle with nothing that could end the inline script", () => {
    const src = plotlyScript();
    assert.ok(src.length > 1_000_000);
    assert.ok(!/<\/script/i.test(src));
    assert.match(src, /window\.Plotly = Plotly/);
  });
});
