// Small MovieLens text files (catalogues): decoding (UTF-8, else Latin-1), RFC 4180 CSV
// records and plain-separator records, and the error type that names a file and line.
import { readFileSync } from "node:fs";
import { requireRegularFile } from "../../core/fs";

/** A bad input file: the message names file and line. */
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `${file} line ${line}: ${message}` : `${file}: ${message}`);
    this.name = "DataError";
  }
}

/**
 * Decodes a catalogue file: UTF-8 (BOM stripped), line by line, so one stray Latin-1 byte
 * does not turn every other accented title into mojibake; lines that are not valid UTF-8
 * are read as Latin-1 (ML-100K and ML-1M ship Latin-1) and named in `warnings`. Line ends
 * become "\n" (CRLF and lone CR alike).
 */
export function readTextFile(path: string, warnings: string[]): string {
  requireRegularFile(path, "a MovieLens catalogue file");
  const bytes = readFileSync(path);
  if (bytes.length === 0) throw new DataError(path, 0, "the file is empty");
  const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    const fallback: number[] = [];
    const lines: string[] = [];
    let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    for (let line = 1; start <= bytes.length; line++) {
      let end = bytes.indexOf(10, start);
      if (end < 0) end = bytes.length;
      const chunk = bytes.subarray(start, end);
      try {
        lines.push(strict.decode(chunk));
      } catch {
        lines.push(chunk.toString("latin1"));
        fallback.push(line);
      }
      start = end + 1;
    }
    text = lines.join("\n");
    const shown = fallback.slice(0, 8).join(", ") + (fallback.length > 8 ? `, ... (${fallback.length} lines)` : "");
    const lines1 = fallback.length > 1 ? "lines" : "line";
    warnings.push(`${path}: ${fallback.length} ${lines1} not valid UTF-8, read as Latin-1 (${lines1} ${shown})`);
  }
  return text.replace(/\r\n?/g, "\n");
}

export interface TextRecord {
  line: number;
  fields: string[];
}

/**
 * RFC 4180 records: fields separated by `delimiter`, optionally quoted with doubled
 * quotes inside; quoted fields may hold delimiters and newlines; CRLF or LF line ends.
 */
export function parseCsvRecords(text: string, path: string, delimiter = ","): TextRecord[] {
  const out: TextRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let value = "";
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) throw new DataError(path, startLine, "a quoted field is not closed");
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === "\n") line++;
          value += c;
          i++;
        }
        if (i < n && text[i] !== delimiter && text[i] !== "\n" && text[i] !== "\r") {
          throw new DataError(path, startLine, `unexpected ${JSON.stringify(text[i])} after a closing quote`);
        }
      } else {
        const start = i;
        while (i < n && text[i] !== delimiter && text[i] !== "\n" && text[i] !== "\r") i++;
        value = text.slice(start, i);
      }
      fields.push(value);
      if (i < n && text[i] === delimiter) {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === "\r") i++;
    if (text[i] === "\n") {
      i++;
      line++;
    }
    if (!(fields.length === 1 && fields[0] === "")) out.push({ line: startLine, fields });
  }
  return out;
}

/** Records split on a plain separator without quoting ("::" and "|" files). */
export function splitRecords(text: string, separator: string): TextRecord[] {
  const out: TextRecord[] = [];
  const lines = text.replace(/^\ufeff/, "").split("\n");
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k].endsWith("\r") ? lines[k].slice(0, -1) : lines[k];
    if (raw.trim() === "") continue;
    out.push({ line: k + 1, fields: raw.split(separator) });
  }
  return out;
}
