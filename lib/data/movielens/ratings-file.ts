// The ratings file parser. Ratings files (up to ~1 GB) are streamed in chunks and parsed
// byte by byte into typed arrays: well-formed "user,movie,rating[,rest]" lines take a fast
// path, anything else (headers, blank lines, CRLF, "::" files, odd lines) the careful one,
// which checks everything and names the file and line of the first problem.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { requireRegularFile } from "../../core/fs";
import type { RatingsTable } from "../schema";
import { DataError, parseCsvRecords } from "./text-files";
import {
  CR,
  DOT,
  MAX_INT32,
  NINE,
  NL,
  QUOTE,
  R_IGNORE,
  R_MOVIE,
  R_RATING,
  R_TIME,
  R_USER,
  ZERO,
  fastLayout,
  fastLines,
  RatingColumns,
  type RatingField,
  tailOf,
  toCodes,
} from "./ratings-fast";

export type { RatingField };

export interface RatingsLayout {
  /** Field separator: "," (ML-20M family), "::" (ML-1M/10M), "\t" (ML-100K u.data). */
  delimiter: "," | "::" | "\t";
  /** CSV files name their columns in a header line; the others have a fixed order. */
  header: boolean;
  /** Column roles when there is no header. */
  columns?: RatingField[];
}

const CHUNK_BYTES = 1 << 24;

/** Streams a ratings file into columnar arrays (file order kept). */
export function readRatingsFile(path: string, layout: RatingsLayout): RatingsTable {
  if (!layout.header && !layout.columns) throw new Error("readRatingsFile: a layout without header needs columns");
  requireRegularFile(path, "a MovieLens ratings file"); // a FIFO would block the open, /dev/zero never end
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size === 0) throw new DataError(path, 0, "the file is empty");
    const parser = new RatingsParser(path, layout, size);
    parser.readAll(fd, size);
    return parser.table();
  } finally {
    closeSync(fd);
  }
}

class RatingsParser {
  private readonly d0: number;
  private readonly d1: number;
  private names: RatingField[] | null;
  private roles: Int8Array;
  private fast: boolean;
  private readonly out: RatingColumns;
  private readonly buf = Buffer.allocUnsafe(CHUNK_BYTES * 2 + 1);
  private lineNo = 0;
  private crOnly = false;
  private badTimestamps = 0;
  private firstBadTimestamp: string | null = null;

  constructor(
    private readonly path: string,
    private readonly layout: RatingsLayout,
    size: number,
  ) {
    this.d0 = layout.delimiter.charCodeAt(0);
    this.d1 = layout.delimiter.length > 1 ? layout.delimiter.charCodeAt(1) : -1;
    this.out = new RatingColumns(Math.max(1024, Math.ceil(size / 18)));
    this.names = layout.header ? null : (layout.columns ?? null);
    this.roles = this.names ? toCodes(this.names) : new Int8Array(0);
    this.fast = this.names ? fastLayout(this.roles, this.d1) : false;
  }

  /** Reads the file chunk by chunk; only whole lines are parsed, the tail waits for the next chunk. */
  readAll(fd: number, size: number): void {
    const { buf } = this;
    let carry = 0;
    let position = 0;
    let first = true;
    for (;;) {
      const read = position < size ? readSync(fd, buf, carry, Math.min(CHUNK_BYTES, size - position), position) : 0;
      position += read;
      // Old Mac files end lines with a lone CR: read them as if it were LF.
      if (first)
        this.crOnly = read > 0 && buf.indexOf(NL, carry) < 0 && buf.indexOf(CR, carry) >= 0 && buf.indexOf(CR, carry) < carry + read;
      if (this.crOnly) for (let i = carry; i < carry + read; i++) if (buf[i] === CR) buf[i] = NL;
      let limit = carry + read;
      const atEnd = position >= size;
      if (atEnd && limit > 0 && buf[limit - 1] !== NL) buf[limit++] = NL; // a last line without newline
      const end = buf.lastIndexOf(NL, limit - 1) + 1;
      const bom = first && end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
      first = false;
      this.parseLines(bom ? 3 : 0, end);
      if (atEnd) break;
      carry = limit - end;
      if (carry >= CHUNK_BYTES)
        throw new DataError(this.path, this.lineNo + 1, `a line longer than ${CHUNK_BYTES} bytes: is this a ratings file?`);
      buf.copy(buf, 0, end, limit);
    }
    if (this.names === null) throw new DataError(this.path, 0, "the file is empty (no header line)");
  }

  table(): RatingsTable {
    const { out } = this;
    return {
      userIds: out.userIds.slice(0, out.n),
      movieIds: out.movieIds.slice(0, out.n),
      ratings: out.ratings.slice(0, out.n),
      timestamps: this.roles.includes(R_TIME) ? out.timestamps.slice(0, out.n) : null,
      badTimestamps: this.firstBadTimestamp ? { count: this.badTimestamps, first: this.firstBadTimestamp } : null,
      length: out.n,
    };
  }

  /** Parses the whole lines in buf[p, end). */
  private parseLines(p: number, end: number): void {
    const { buf, out } = this;
    while (p < end) {
      if (this.names !== null && this.fast) {
        if (out.n === out.capacity) out.grow();
        const before = out.n;
        p = fastLines(buf, p, end, this.d0, tailOf(this.roles), out);
        this.lineNo += out.n - before;
        if (p >= end || out.n === out.capacity) continue;
      }
      // One line the careful way: blank, header, CRLF, anything odd, or a slow layout.
      this.lineNo++;
      const c0 = buf[p];
      if (c0 === NL || (c0 === CR && buf[p + 1] === NL)) p += c0 === NL ? 1 : 2;
      else if (this.names === null) p = this.readHeader(p);
      else p = this.parseLine(p);
    }
  }

  private readHeader(p: number): number {
    const e = this.buf.indexOf(NL, p);
    this.names = headerRoles(this.buf.toString("utf8", p, e).replace(/\r$/, ""), this.path, this.lineNo, this.layout.delimiter);
    this.roles = toCodes(this.names);
    this.fast = fastLayout(this.roles, this.d1);
    return e + 1;
  }

  private fail(lineStart: number, message: string): never {
    let e = this.buf.indexOf(NL, lineStart);
    if (e < 0) e = lineStart + 200;
    const text = this.buf.toString("utf8", lineStart, Math.min(e, lineStart + 200)).replace(/\r$/, "");
    throw new DataError(this.path, this.lineNo, `${message} (line: ${JSON.stringify(text)})`);
  }

  private fieldText(from: number): string {
    const { buf, d0 } = this;
    let e = from;
    while (e < buf.length && buf[e] !== d0 && buf[e] !== NL && buf[e] !== CR) e++;
    return JSON.stringify(buf.toString("utf8", from, e));
  }

  /**
   * A line with RFC 4180 quotes ("1","31","2.5",...): valid CSV, so it is read field by field
   * with the catalogue parser and each field checked as the byte parser would.
   */
  private parseQuotedLine(lineStart: number, lineEnd: number): number {
    const text = this.buf.toString("utf8", lineStart, lineEnd).replace(/\r$/, "");
    const names = this.names as RatingField[];
    let fields: string[];
    try {
      fields = parseCsvRecords(text, this.path, this.layout.delimiter)[0]?.fields ?? [];
    } catch (err) {
      throw new DataError(
        this.path,
        this.lineNo,
        `${err instanceof DataError ? err.message.replace(/^.*?: /, "") : String(err)} (line: ${JSON.stringify(text)})`,
      );
    }
    if (fields.length !== names.length)
      this.fail(lineStart, `expected ${names.length} fields separated by ${JSON.stringify(this.layout.delimiter)}, got ${fields.length}`);
    let user = -1;
    let movie = -1;
    let rating = NaN;
    let time = 0;
    names.forEach((name, k) => {
      const f = fields[k].trim();
      if (name === "timestamp") time = this.timestampOf(f);
      if (name === "userId" || name === "movieId") {
        if (!/^\d+$/.test(f)) this.fail(lineStart, f === "" ? `empty ${name}` : `${name} ${JSON.stringify(f)} is not a whole number`);
        const v = Number(f);
        if (v > MAX_INT32) this.fail(lineStart, `${name} ${v} is too large`);
        if (name === "userId") user = v;
        else movie = v;
      } else if (name === "rating") {
        if (!/^(\d+\.?\d*|\.\d+)$/.test(f)) this.fail(lineStart, f === "" ? "empty rating" : `rating ${JSON.stringify(f)} is not a number`);
        rating = Number(f);
        if (rating < 0.5 || rating > 5) this.fail(lineStart, `rating ${rating} is outside 0.5-5`);
      }
    });
    this.out.store(user, movie, rating, time);
    return lineEnd + 1;
  }

  /**
   * A timestamp field: whole Unix seconds that fit 32 bits. A bad one is -1 and only counted:
   * genre conditions never read it; preprocessing for daypart or weekday names the first.
   */
  private timestampOf(f: string): number {
    const v = /^\d+$/.test(f) ? Number(f) : NaN;
    if (v <= MAX_INT32) return v;
    this.badTimestamps++;
    this.firstBadTimestamp ??=
      `${this.path} line ${this.lineNo}: timestamp ${JSON.stringify(f)} is ` +
      (f === "" ? "empty" : Number.isNaN(v) ? "not whole seconds" : "too large (after 2038)");
    return -1;
  }

  /** Parses one line at lineStart (any layout, every check), stores it, returns the next line's start. */
  private parseLine(lineStart: number): number {
    const { buf, d0, d1, roles } = this;
    if (d1 < 0) {
      const lineEnd = buf.indexOf(NL, lineStart);
      // Search this line only: indexOf over the rest of the buffer would make the careful path quadratic.
      if (buf.subarray(lineStart, lineEnd).includes(QUOTE)) return this.parseQuotedLine(lineStart, lineEnd);
    }
    const fieldNames = this.names as RatingField[];
    const ends = (ch: number) => ch === d0 || ch === NL || ch === CR;
    let p = lineStart;
    let c = buf[p];
    let field = 0;
    let user = -1;
    let movie = -1;
    let rating = NaN;
    let time = 0;
    for (;;) {
      const role = field < roles.length ? roles[field] : R_IGNORE;
      const fieldStart = p;
      if (role === R_USER || role === R_MOVIE) {
        let v = 0;
        while (c >= ZERO && c <= NINE) {
          v = v * 10 + (c - ZERO);
          c = buf[++p];
        }
        if (p === fieldStart || !ends(c)) {
          this.fail(
            lineStart,
            p === fieldStart && ends(c)
              ? `empty ${fieldNames[field]}`
              : `${fieldNames[field]} ${this.fieldText(fieldStart)} is not a whole number`,
          );
        }
        if (v > MAX_INT32) this.fail(lineStart, `${fieldNames[field]} ${v} is too large`);
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
        if ((intDigits === 0 && scale === 1) || !ends(c)) {
          this.fail(lineStart, p === fieldStart && ends(c) ? "empty rating" : `rating ${this.fieldText(fieldStart)} is not a number`);
        }
        rating = whole + frac / scale;
        if (rating < 0.5 || rating > 5) this.fail(lineStart, `rating ${rating} is outside 0.5-5`);
      } else if (role === R_TIME) {
        while (c !== d0 && c !== NL && c !== CR) c = buf[++p];
        time = this.timestampOf(buf.toString("latin1", fieldStart, p).trim());
      } else {
        while (c !== d0 && c !== NL) c = buf[++p];
        if (c === NL && p > fieldStart && buf[p - 1] === CR) c = buf[--p];
      }
      field++;
      if (c === d0) {
        if (d1 >= 0) {
          if (buf[p + 1] !== d1)
            this.fail(
              lineStart,
              `a single ${JSON.stringify(String.fromCharCode(d0))} where ${JSON.stringify(this.layout.delimiter)} separates fields`,
            );
          p++;
        }
        c = buf[++p];
        continue;
      }
      if (c === CR) {
        c = buf[++p];
        if (c !== NL) this.fail(lineStart, "a carriage return inside the line");
      }
      p++; // past the newline
      break;
    }
    if (field !== roles.length)
      this.fail(lineStart, `expected ${roles.length} fields separated by ${JSON.stringify(this.layout.delimiter)}, got ${field}`);
    this.out.store(user, movie, rating, time);
    return p;
  }
}

const REQUIRED: RatingField[] = ["userId", "movieId", "rating"];
/** Columns read when present (the condition kinds daypart and weekday need it). */
const OPTIONAL: RatingField[] = ["timestamp"];

function headerRoles(header: string, path: string, line: number, delimiter: string): RatingField[] {
  const names = header.split(delimiter).map((s) => s.trim().replace(/^"(.*)"$/, "$1"));
  if (names.length === 1) {
    const guess = [";", "\t", "|", "::"].find((d) => header.includes(d));
    const family = delimiter === "," ? "CSV files are comma" : "files are";
    throw new DataError(
      path,
      line,
      `no ${JSON.stringify(delimiter)} in the header ` +
        `${JSON.stringify(header)}${guess ? `; the file looks ${JSON.stringify(guess)}-separated` : ""}. MovieLens ${family}-separated`,
    );
  }
  const known = [...REQUIRED, ...OPTIONAL];
  const roles = names.map((name): RatingField => (known.includes(name as RatingField) ? (name as RatingField) : "ignore"));
  const missing = REQUIRED.filter((r) => !roles.includes(r));
  if (missing.length) {
    throw new DataError(
      path,
      line,
      `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; expected ` +
        `a header like userId,movieId,rating,timestamp, got ${JSON.stringify(header)}`,
    );
  }
  return roles;
}
