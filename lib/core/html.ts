// Escaping for every place where data reaches HTML: element text, attributes, inline
// <script> JSON and Plotly's pseudo-HTML text fields. A movie title such as
// `<img src=x onerror=alert(1)>` must show as text and run nothing.

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * JSON that is safe inside an inline <script>: `<`, `>`, `&` and the JS line separators
 * are written as \u escapes, so data can never close the script element.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Text for Plotly labels, legends, hover text and titles. Plotly renders a subset of
 * HTML in these fields and drops unknown tags; entities are shown as their characters,
 * so escaping makes any title display literally.
 */
export function plotlyText(text: unknown): string {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A minimal HTML table from rows of plain values; every cell is escaped. */
export function htmlTable(columns: readonly string[], rows: readonly (readonly unknown[])[], caption?: string): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map(
      (row) => `<tr>${row.map((v) => `<td${typeof v === "number" ? ' class="num"' : ""}>${escapeHtml(formatCell(v))}</td>`).join("")}</tr>`,
    )
    .join("\n");
  const cap = caption ? `<caption>${escapeHtml(caption)}</caption>` : "";
  return `<table class="cvae-table">${cap}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Numbers shown with at most 4 significant decimals; integers as they are. */
export function formatCell(value: unknown): string {
  if (typeof value === "number") {
    if (Number.isInteger(value)) return value.toLocaleString("en-US");
    if (!Number.isFinite(value)) return String(value);
    return Math.abs(value) >= 1000 ? value.toFixed(1) : Number(value.toPrecision(4)).toString();
  }
  if (value === null || value === undefined) return "";
  return String(value);
}

/**
 * Data (a name, a path) as inline code inside markdown: an HTML <code> element with the
 * text escaped, so a backtick or a tag in the data cannot end the code span and inject
 * HTML, wherever the markdown is rendered.
 */
export function markdownCode(text: unknown): string {
  // Markdown still acts inside inline HTML: its own marks become entities too.
  const inert = escapeHtml(text).replace(/[`*_[\]\\~|#]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<code>${inert}</code>`;
}
