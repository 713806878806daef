// Condition kinds: what the C-VAE is conditioned on, chosen when a data set is prepared.
// Item attributes (genre, decade) condition as the paper's genres do: the target of a
// (user, c) row is the user's items having attribute c. Interaction contexts (daypart,
// weekday) condition on the rating itself: the target is the user's items rated in context
// c, read from the rating's timestamp (a rating time, not a viewing time). This module holds
// the labels, the title-year parser, the clock, and `EntryConditions`, which answers "does
// stored entry k of this matrix have condition c?" for both scopes.
import type {
  ConditionKind,
  ConditionLabel,
  ConditionScope,
  ConditionVocabulary,
  Csr,
  Genre,
  MatrixContexts,
  ProcessedDataset,
} from "../schema";
import { csrFromPairs } from "../sparse";

export type { ConditionKind, ConditionScope, ConditionVocabulary, MatrixContexts };
export const CONDITION_KINDS: readonly ConditionKind[] = ["genre", "decade", "daypart", "weekday"];

export function checkConditionKind(value: unknown, what = "conditions"): ConditionKind {
  if (typeof value === "string" && (CONDITION_KINDS as readonly string[]).includes(value)) return value as ConditionKind;
  throw new RangeError(`${what} must be one of ${CONDITION_KINDS.join(", ")}; got ${JSON.stringify(value)}`);
}

export function scopeOf(kind: ConditionKind): ConditionScope {
  switch (kind) {
    case "genre":
    case "decade":
      return "item";
    case "daypart":
    case "weekday":
      return "interaction";
    default:
      throw new RangeError(`unknown condition kind ${JSON.stringify(kind)}`);
  }
}

/** The noun of a kind in prose and tables: genre, decade, daypart, week part. */
export function conditionNoun(kind: ConditionKind): string {
  return kind === "weekday" ? "week part" : kind;
}

export function conditionPlural(kind: ConditionKind): string {
  return `${conditionNoun(kind)}s`;
}

/** A sentence about genres said about another kind ("cluster by genre" -> "cluster by daypart"). */
export function aboutConditions(text: string, kind: ConditionKind): string {
  if (kind === "genre") return text;
  const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
  return text
    .replace(/\bgenres\b/g, conditionPlural(kind))
    .replace(/\bgenre\b/g, conditionNoun(kind))
    .replace(/\bGenres\b/g, cap(conditionPlural(kind)))
    .replace(/\bGenre\b/g, cap(conditionNoun(kind)));
}

/** The decade label of titles without a year in parentheses at their end. */
export const NO_YEAR = "(no year)";

/** The release year at a title's end: "Heat (1995)", "Sherlock (2010-2017)", or null. */
export function titleYear(title: string): number | null {
  const m = /\((\d{4})(?:\s*[-\u2013]\s*\d{0,4})?\)\s*$/.exec(title);
  return m ? Number(m[1]) : null;
}

export function decadeLabel(year: number | null): ConditionLabel {
  return year === null ? NO_YEAR : `${Math.floor(year / 10) * 10}s`;
}

/** Dayparts by local hour: night 0-5, morning 6-11, afternoon 12-17, evening 18-23. */
export const DAYPARTS: readonly ConditionLabel[] = ["night", "morning", "afternoon", "evening"];
/** Saturday and Sunday are the weekend. */
export const WEEK_PARTS: readonly ConditionLabel[] = ["weekday", "weekend"];

/** The fixed labels of an interaction-context kind, in their natural order. */
export function contextLabels(kind: ConditionKind): readonly ConditionLabel[] {
  if (kind === "daypart") return DAYPARTS;
  if (kind === "weekday") return WEEK_PARTS;
  throw new RangeError(`${kind} is not an interaction context (daypart, weekday)`);
}

/** Checks an IANA time zone name ("Europe/Rome"); null and "UTC" mean UTC. */
export function checkTimeZone(timeZone: unknown, what = "timeZone"): string | null {
  if (timeZone === null || timeZone === undefined || timeZone === "UTC") return null;
  if (typeof timeZone !== "string" || timeZone === "")
    throw new RangeError(`${what} must be an IANA time zone name such as "Europe/Rome", got ${JSON.stringify(timeZone)}`);
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
  } catch {
    throw new RangeError(`${what}: unknown time zone ${JSON.stringify(timeZone)}; use an IANA name such as "America/New_York" or "UTC"`);
  }
  return timeZone;
}

const QUARTER_HOUR = 900;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/**
 * Local hour and weekday of Unix seconds. UTC is arithmetic; another zone asks Intl once
 * per quarter hour seen (every zone's offset and transitions are whole quarter hours).
 */
export class LocalClock {
  private readonly cache = new Map<number, number>();
  private readonly format: Intl.DateTimeFormat | null;

  constructor(timeZone: string | null) {
    this.format = timeZone ? new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", hour: "numeric", weekday: "short" }) : null;
  }

  /** hour * 8 + day, day 0 = Sunday. */
  private packed(seconds: number): number {
    if (!this.format) {
      const hour = Math.floor(seconds / 3600) % 24;
      const day = (Math.floor(seconds / 86400) + 4) % 7; // 1970-01-01 was a Thursday
      return hour * 8 + day;
    }
    const bucket = Math.floor(seconds / QUARTER_HOUR);
    let v = this.cache.get(bucket);
    if (v === undefined) {
      const parts = this.format.formatToParts(new Date(bucket * QUARTER_HOUR * 1000));
      const hour = Number(parts.find((p) => p.type === "hour")?.value);
      const day = WEEKDAYS.indexOf(parts.find((p) => p.type === "weekday")?.value ?? "");
      v = (hour % 24) * 8 + day;
      this.cache.set(bucket, v);
    }
    return v;
  }

  hour(seconds: number): number {
    return this.packed(seconds) >> 3;
  }

  /** 0 = Sunday .. 6 = Saturday. */
  weekday(seconds: number): number {
    return this.packed(seconds) & 7;
  }
}

/** The context index (into contextLabels(kind)) of a rating at Unix `seconds`. */
export function contextOf(kind: ConditionKind, clock: LocalClock, seconds: number): number {
  if (kind === "daypart") return Math.floor(clock.hour(seconds) / 6);
  if (kind === "weekday") {
    const day = clock.weekday(seconds);
    return day === 0 || day === 6 ? 1 : 0;
  }
  throw new RangeError(`${kind} is not an interaction context (daypart, weekday)`);
}

/** Item-attribute conditions: the labels of the indexed items, sorted, and items x labels. */
export function itemConditionsOf(
  kind: ConditionKind,
  items: readonly { title: string; genres: readonly Genre[] }[],
): { labels: ConditionLabel[]; itemConditions: Csr } {
  const of = (item: { title: string; genres: readonly Genre[] }): readonly ConditionLabel[] =>
    kind === "genre" ? item.genres : kind === "decade" ? [decadeLabel(titleYear(item.title))] : [];
  if (scopeOf(kind) !== "item") throw new RangeError(`${kind} is not an item attribute (genre, decade)`);
  const labels = [...new Set(items.flatMap((it) => [...of(it)]))].sort();
  const index = new Map(labels.map((g, k) => [g, k]));
  const rows: number[] = [];
  const cols: number[] = [];
  items.forEach((it, i) => {
    for (const g of of(it)) {
      rows.push(i);
      cols.push(index.get(g) as number);
    }
  });
  return { labels, itemConditions: csrFromPairs(items.length, labels.length, rows, cols) };
}

/**
 * The context of each stored entry of `matrix` (rows are users, entries their items):
 * `contextsOfRow(row, set)` calls set(item, context) for each of the row's rated items.
 */
export function entryContexts(matrix: Csr, contextsOfRow: (row: number, set: (item: number, context: number) => void) => void): Uint8Array {
  const latest = new Int16Array(matrix.cols).fill(-1);
  const touched: number[] = [];
  const set = (item: number, context: number) => {
    if (latest[item] < 0) touched.push(item);
    latest[item] = context;
  };
  const out = new Uint8Array(matrix.indices.length);
  for (let row = 0; row < matrix.rows; row++) {
    contextsOfRow(row, set);
    for (let k = matrix.indptr[row]; k < matrix.indptr[row + 1]; k++) {
      const c = latest[matrix.indices[k]];
      if (c < 0) throw new Error(`entryContexts: row ${row} has item ${matrix.indices[k]} without a context`);
      out[k] = c;
    }
    // Cleared per row, so an item this row's user never rated cannot take another user's context.
    for (const item of touched) latest[item] = -1;
    touched.length = 0;
  }
  return out;
}

/** Which conditions the stored entries of one matrix have. */
export type EntryConditions =
  /** Item attributes: an items x conditions byte table. */
  | { scope: "item"; count: number; table: Uint8Array }
  /** Interaction contexts: the context of each stored entry. */
  | { scope: "interaction"; count: number; contexts: Uint8Array };

/**
 * For batches whose targets are never restricted or scored (encoding, ranking one history):
 * every entry in no condition, so a conditioned row would get an empty target.
 */
export function unscoredTargets(matrix: Csr): EntryConditions {
  return { scope: "interaction", count: 0, contexts: new Uint8Array(matrix.indices.length).fill(255) };
}

/** Item x condition membership as a dense byte table (m x C) for O(1) lookups. */
export function itemEntryConditions(itemConditions: Csr): EntryConditions {
  const C = itemConditions.cols;
  const table = new Uint8Array(itemConditions.rows * C);
  for (let i = 0; i < itemConditions.rows; i++)
    for (let k = itemConditions.indptr[i]; k < itemConditions.indptr[i + 1]; k++) table[i * C + itemConditions.indices[k]] = 1;
  return { scope: "item", count: C, table };
}

/** Does stored entry k (item `item`) have condition c? */
export function entryHas(e: EntryConditions, k: number, item: number, c: number): boolean {
  return e.scope === "item" ? e.table[item * e.count + c] === 1 : e.contexts[k] === c;
}

/** For each row of `matrix`, the conditions among its entries (ascending), as CSR. */
export function rowConditions(matrix: Csr, e: EntryConditions): Csr {
  const C = e.count;
  const indptr = new Int32Array(matrix.rows + 1);
  const out: number[] = [];
  const seen = new Uint8Array(C);
  for (let u = 0; u < matrix.rows; u++) {
    seen.fill(0);
    for (let k = matrix.indptr[u]; k < matrix.indptr[u + 1]; k++) {
      const item = matrix.indices[k];
      if (e.scope === "interaction") seen[e.contexts[k]] = 1;
      else for (let c = 0; c < C; c++) if (e.table[item * C + c]) seen[c] = 1;
    }
    for (let c = 0; c < C; c++) if (seen[c]) out.push(c);
    indptr[u + 1] = out.length;
  }
  return { rows: matrix.rows, cols: C, indptr, indices: Int32Array.from(out) };
}

/** The matrices of a processed data set, by the names the store uses. */
export type MatrixName = keyof MatrixContexts;

function matrixOf(ds: ProcessedDataset, name: MatrixName): Csr {
  switch (name) {
    case "train":
      return ds.train.matrix;
    case "validFoldIn":
      return ds.valid.foldIn;
    case "validHeldOut":
      return ds.valid.heldOut;
    case "testFoldIn":
      return ds.test.foldIn;
    case "testHeldOut":
      return ds.test.heldOut;
    default:
      throw new RangeError(`unknown matrix ${JSON.stringify(name)}`);
  }
}

/** The conditions of the entries of one of a data set's matrices (the item table is shared by all). */
export function entryConditionsOf(ds: ProcessedDataset, name: MatrixName): EntryConditions {
  const count = ds.conditions.labels.length;
  if (ds.conditions.scope === "item") return itemEntryConditions(ds.itemConditions as Csr);
  const contexts = ds.contexts?.[name];
  if (!contexts || contexts.length !== matrixOf(ds, name).indices.length)
    throw new Error(`data set "${ds.name}": the contexts of ${name} are missing or do not match its entries`);
  return { scope: "interaction", count, contexts };
}
