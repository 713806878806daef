// Parsers for MovieLens text files. Ratings files (up to ~1 GB) are streamed in chunks and
// parsed byte by byte into typed arrays; catalogue files (small) are decoded as text and
// read with a full RFC 4180 parser. Every error names the file and the line.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import type { RatingsTable } from "./schema";

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

export type RatingField = "userId" | "movieId" | "rating" | "ignore";

export interface RatingsLayout {
  /** Field separator: "," (ML-20M family), "::" (ML-1M/10M), "\t" (ML-100K u.data). */
  delimiter: "," | "::" | "\t";
  /** CSV files name their columns in a header line; the others have a fixed order. */
  header: boolean;
  /** Column roles when there is no header. */
  columns?: RatingField[];
}

const CHUNK_BYTES = 1 << 24;
const NL = 10;
const CR = 13;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** Streams a ratings file into columnar arrays (file order kept). */
export function readRatingsFile(path: string, layout: RatingsLayout): RatingsTable {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size === 0) throw new DataError(path, 0, "the file is empty");
    return parseStream(fd, size, path, layout);
  } finally {
    closeSync(fd);
  }
}

// Field roles as small integers for the hot loop.
const R_IGNORE = 0;
const R_USER = 1;
const R_MOVIE = 2;
const R_RATING = 3;

function parseStream(fd: number, size: number, path: string, layout: RatingsLayout): RatingsTable {
  const d0 = layout.delimiter.charCodeAt(0);
  const d1 = layout.delimiter.length > 1 ? layout.delimiter.charCodeAt(1) : -1;
  let capacity = Math.max(1024, Math.ceil(size / 18));
  let userIds = new Int32Array(capacity);
  let movieIds = new Int32Array(capacity);
  let ratings = new Float32Array(capacity);
  let n = 0;
  let names: RatingField[] | null = layout.header ? null : (layout.columns ?? null);
  if (!layout.header && !names) throw new Error("readRatingsFile: a layout without header needs columns");
  let roles = names ? toCodes(names) : new Int8Array(0);
  let fast = names ? fastLayout(roles, d1) : false;

  const buf = Buffer.allocUnsafe(CHUNK_BYTES * 2 + 1);
  let lineNo = 0;

  const fail = (lineStart: number, message: string): never => {
    let e = buf.indexOf(NL, lineStart);
    if (e < 0) e = lineStart + 200;
    const text = buf.toString("utf8", lineStart, Math.min(e, lineStart + 200)).replace(/\r$/, "");
    throw new DataError(path, lineNo, `${message} (line: ${JSON.stringify(text)})`);
  };
  const fieldText = (from: number): string => {
    let e = from;
    while (e < buf.length && buf[e] !== d0 && buf[e] !== NL && buf[e] !== CR) e++;
    return JSON.stringify(buf.toString("utf8", from, e));
  };

  /** Parses one line at p (any layout, every check); stores it; returns the next line's start. */
  const parseLine = (lineStart: number): number => {
    const fieldNames = names as RatingField[];
    let p = lineStart;
    let c = buf[p];
    let field = 0;
    let user = -1;
    let movie = -1;
    let rating = NaN;
    for (;;) {
      const role = field < roles.length ? roles[field] : R_IGNORE;
      const fieldStart = p;
      if (role === R_USER || role === R_MOVIE) {
        let v = 0;
        while (c >= ZERO && c <= NINE) {
          v = v * 10 + (c - ZERO);
          c = buf[++p];
        }
        if (p === fieldStart || !(c === d0 || c === NL || c === CR)) {
          fail(lineStart, p === fieldStart && (c === d0 || c === NL || c === CR) ? `empty ${fieldNames[field]}` : `${fieldNames[field]} ${fieldText(fieldStart)} is not a whole number`);
        }
        if (v > 2147483647) fail(lineStart, `${fieldNames[field]} ${v} is too large`);
        if (role === R_USER) user = v;
        else movie = v;
      } else if (role === R_RATING) {
        let whole = 0;
        let frac = 0;
        let scale = 1;
        while (c >= ZERO && c <= NINE) {
          whole = whole * 10 + (c - ZERO);
          c = buf[++p];
        }
        const intDigits = p - fieldStart;
        if (c === DOT) {
          c = buf[++p];
          while (c >= ZERO && c <= NINE) {
            frac = frac * 10 + (c - ZERO);
            scale *= 10;
            c = buf[++p];
          }
        }
        if ((intDigits === 0 && scale === 1) || !(c === d0 || c === NL || c === CR)) {
          fail(lineStart, p === fieldStart && (c === d0 || c === NL || c === CR) ? "empty rating" : `rating ${fieldText(fieldStart)} is not a number`);
        }
        rating = whole + frac / scale;
        if (rating < 0.5 || rating > 5) fail(lineStart, `rating ${rating} is outside 0.5-5`);
      } else {
        while (c !== d0 && c !== NL) c = buf[++p];
        if (c === NL && p > fieldStart && buf[p - 1] === CR) c = buf[--p];
      }
      field++;
      if (c === d0) {
        if (d1 >= 0) {
          if (buf[p + 1] !== d1) fail(lineStart, `a single ${JSON.stringify(String.fromCharCode(d0))} where ${JSON.stringify(layout.delimiter)} separates fields`);
          p++;
        }
        c = buf[++p];
        continue;
      }
      if (c === CR) {
        c = buf[++p];
        if (c !== NL) fail(lineStart, "a carriage return inside the line");
      }
      p++; // past the newline
      break;
    }
    if (field !== roles.length) fail(lineStart, `expected ${roles.length} fields separated by ${JSON.stringify(layout.delimiter)}, got ${field}`);
    store(user, movie, rating);
    return p;
  };

  const grow2x = (): void => {
    capacity *= 2;
    userIds = grow(userIds, capacity);
    movieIds = grow(movieIds, capacity);
    ratings = growF(ratings, capacity);
  };
  const store = (user: number, movie: number, rating: number): void => {
    if (n === capacity) grow2x();
    userIds[n] = user;
    movieIds[n] = movie;
    ratings[n] = rating;
    n++;
  };

  let carry = 0;
  let position = 0;
  let first = true;
  for (;;) {
    const read = position < size ? readSync(fd, buf, carry, Math.min(CHUNK_BYTES, size - position), position) : 0;
    position += read;
    let limit = carry + read;
    const atEnd = position >= size;
    if (atEnd && limit > 0 && buf[limit - 1] !== NL) buf[limit++] = NL; // a last line without newline
    // Only whole lines are parsed; the tail waits for the next chunk.
    const end = buf.lastIndexOf(NL, limit - 1) + 1;
    let p = 0;
    if (first && end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3; // UTF-8 BOM
    first = false;
    while (p < end) {
      if (names !== null && fast) {
        if (n === capacity) grow2x();
        const out: FastOut = { userIds, movieIds, ratings, n, lines: 0 };
        p = fastLines(buf, p, end, d0, roles.length === 4, out, capacity);
        n = out.n;
        lineNo += out.lines;
        if (p >= end || n === capacity) continue;
      }
      // One line the careful way: blank, header, CRLF, anything odd, or a slow layout.
      lineNo++;
      const c0 = buf[p];
      if (c0 === NL || (c0 === CR && buf[p + 1] === NL)) {
        p += c0 === NL ? 1 : 2;
      } else if (names === null) {
        const e = buf.indexOf(NL, p);
        names = headerRoles(buf.toString("utf8", p, e).replace(/\r$/, ""), path, lineNo, layout.delimiter);
        roles = toCodes(names);
        fast = fastLayout(roles, d1);
        p = e + 1;
      } else {
        p = parseLine(p);
      }
    }
    if (atEnd) break;
    carry = limit - end;
    if (carry >= CHUNK_BYTES) throw new DataError(path, lineNo + 1, `a line longer than ${CHUNK_BYTES} bytes: is this a ratings file?`);
    buf.copy(buf, 0, end, limit);
  }
  if (names === null) throw new DataError(path, 0, "the file is empty (no header line)");
  return { userIds: userIds.slice(0, n), movieIds: movieIds.slice(0, n), ratings: ratings.slice(0, n), length: n };
}

interface FastOut {
  userIds: Int32Array;
  movieIds: Int32Array;
  ratings: Float32Array;
  n: number;
  lines: number;
}

/**
 * Parses well-formed "user,movie,rating[,rest]" lines from p until `end`, the arrays
 * being full, or a line that is not plainly well formed (returned for the careful parser).
 */
function fastLines(buf: Buffer, start: number, end: number, d0: number, hasTail: boolean, out: FastOut, capacity: number): number {
  const { userIds, movieIds, ratings } = out;
  let n = out.n;
  let lines = 0;
  let p = start;
  while (p < end && n < capacity) {
    const lineStart = p;
    let c = buf[p];
    let user = 0;
    while (c >= ZERO && c <= NINE) {
      user = user * 10 + (c - ZERO);
      c = buf[++p];
    }
    if (c !== d0 || p === lineStart || user > 2147483647) {
      out.n = n;
      out.lines = lines;
      return lineStart;
    }
    const movieStart = ++p;
    c = buf[p];
    let movie = 0;
    while (c >= ZERO && c <= NINE) {
      movie = movie * 10 + (c - ZERO);
      c = buf[++p];
    }
    if (c !== d0 || p === movieStart || movie > 2147483647) {
      out.n = n;
      out.lines = lines;
      return lineStart;
    }
    const ratingStart = ++p;
    c = buf[p];
    let rating = 0;
    while (c >= ZERO && c <= NINE) {
      rating = rating * 10 + (c - ZERO);
      c = buf[++p];
    }
    if (c === DOT) {
      c = buf[++p];
      let frac = 0;
      let scale = 1;
      while (c >= ZERO && c <= NINE) {
        frac = frac * 10 + (c - ZERO);
        scale *= 10;
        c = buf[++p];
      }
      rating += frac / scale;
    }
    if ((hasTail ? c !== d0 : c !== NL) || p === ratingStart || !(rating >= 0.5 && rating <= 5)) {
      out.n = n;
      out.lines = lines;
      return lineStart;
    }
    if (hasTail) {
      c = buf[++p];
      while (c !== NL && c !== d0) c = buf[++p];
      if (c === d0) {
      out.n = n;
      out.lines = lines;
      return lineStart;
    }
    }
    userIds[n] = user;
    movieIds[n] = movie;
    ratings[n] = rating;
    n++;
    lines++;
    p++;
  }
  out.n = n;
  out.lines = lines;
  return p;
}

/** The common layouts user,movie,rating(,ignored) with a one-byte delimiter get the fast path. */
function fastLayout(roles: Int8Array, d1: number): boolean {
  return d1 < 0 && (roles.length === 3 || roles.length === 4) && roles[0] === R_USER && roles[1] === R_MOVIE && roles[2] === R_RATING && (roles.length === 3 || roles[3] === R_IGNORE);
}

function toCodes(names: RatingField[]): Int8Array {
  return Int8Array.from(names, (r) => (r === "userId" ? R_USER : r === "movieId" ? R_MOVIE : r === "rating" ? R_RATING : R_IGNORE));
}

const REQUIRED: RatingField[] = ["userId", "movieId", "rating"];

function headerRoles(header: string, path: string, line: number, delimiter: string): RatingField[] {
  const names = header.split(delimiter).map((s) => s.trim().replace(/^"(.*)"$/, "$1"));
  if (names.length === 1) {
    const guess = [";", "\t", "|", "::"].find((d) => header.includes(d));
    throw new DataError(path, line, `no ${JSON.stringify(delimiter)} in the header ${JSON.stringify(header)}${guess ? `; the file looks ${JSON.stringify(guess)}-separated` : ""}. MovieLens ${delimiter === "," ? "CSV files are comma" : "files are"}-separated`);
  }
  const roles = names.map((name): RatingField => (REQUIRED.includes(name as RatingField) ? (name as RatingField) : "ignore"));
  const missing = REQUIRED.filter((r) => !roles.includes(r));
  if (missing.length) {
    throw new DataError(path, line, `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; expected a header like userId,movieId,rating,timestamp, got ${JSON.stringify(header)}`);
  }
  return roles;
}

function grow(a: Int32Array, capacity: number): Int32Array {
  const out = new Int32Array(capacity);
  out.set(a);
  return out;
}

function growF(a: Float32Array, capacity: number): Float32Array {
  const out = new Float32Array(capacity);
  out.set(a);
  return out;
}

/**
 * Decodes a catalogue file: UTF-8 when valid (BOM stripped), else Latin-1 (ML-100K and
 * ML-1M ship Latin-1), noting the fallback in `warnings`.
 */
export function readTextFile(path: string, warnings: string[]): string {
  const bytes = readFileSync(path);
  if (bytes.length === 0) throw new DataError(path, 0, "the file is empty");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    warnings.push(`${path}: not valid UTF-8, read as Latin-1`);
    return bytes.toString("latin1");
  }
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
