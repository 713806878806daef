import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeHtml, formatCell, htmlTable, jsonForScript, markdownCode, plotlyText } from "../../lib/core/html";

const XSS = "<img src=x onerror=alert(1)>";

describe("escapeHtml(text)", () => {
  it("turns a hostile movie title into inert text", () => {
    assert.equal(escapeHtml(XSS), "&lt;img src=x onerror=alert(1)&gt;");
  });
  it("escapes quotes for attributes and ampersands once", () => {
    assert.equal(escapeHtml(`"A" & 'B'`), "&quot;A&quot; &amp; &#39;B&#39;");
  });
});

describe("jsonForScript(value)", () => {
  it("cannot close a <script> element and still parses back to the same value", () => {
    const value = { title: `</script><script>alert(1)</script> & ${XSS}`, sep: "\u2028" };
    const json = jsonForScript(value);
    assert.ok(!json.includes("<") && !json.includes(">") && !json.includes("&") && !json.includes("\u2028"));
    assert.deepEqual(JSON.parse(json), value);
  });
});

describe("plotlyText(text)", () => {
  it("escapes tags so Plotly shows them literally", () => {
    assert.equal(plotlyText(XSS), "&lt;img src=x onerror=alert(1)&gt;");
    assert.equal(plotlyText("Tom & Jerry"), "Tom &amp; Jerry");
  });
});

describe("htmlTable(columns, rows, caption)", () => {
  it("escapes every header, cell and the caption", () => {
    const html = htmlTable(["<b>"], [[XSS]], "<i>cap</i>");
    assert.ok(!html.includes("<img") && !html.includes("<b>") && !html.includes("<i>"));
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });
  it("right-aligns numbers and formats them", () => {
    assert.match(htmlTable(["n"], [[1234567]]), /<td class="num">1,234,567<\/td>/);
  });
});

describe("formatCell(value)", () => {
  it("keeps integers whole and rounds fractions to 4 significant digits", () => {
    assert.equal(formatCell(20000263), "20,000,263");
    assert.equal(formatCell(0.123456), "0.1235");
    assert.equal(formatCell(1234.56), "1234.6");
    assert.equal(formatCell(null), "");
    assert.equal(formatCell(NaN), "NaN");
  });
});

describe("markdownCode(text)", () => {
  it("wraps data in <code> with HTML and markdown marks turned into entities, so a backtick cannot end it", () => {
    assert.equal(markdownCode("x`<img src=x onerror=alert(7)>`"), "<code>x&#96;&lt;img src=x onerror=alert(7)&gt;&#96;</code>");
    assert.equal(markdownCode("*a*_b_[c](d)"), "<code>&#42;a&#42;&#95;b&#95;&#91;c&#93;(d)</code>");
  });
});
