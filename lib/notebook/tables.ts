// Tables for notebooks: danfojs DataFrames built from plain rows and shown inline as
// escaped HTML (with a text fallback). Numbers keep their precision in the frame; only
// the display rounds them.
import * as dfd from "danfojs-node";
import { showTable } from "./display";

/** A DataFrame from row objects; every row must have the same keys (named in errors). */
export function toDataFrame<T extends object>(rows: readonly T[], columns?: readonly (keyof T & string)[]): dfd.DataFrame {
  const cols: string[] = columns ? [...columns] : rows.length ? Object.keys(rows[0]) : [];
  rows.forEach((row, i) => {
    const keys = Object.keys(row);
    const missing = cols.filter((c) => !(c in row));
    if (missing.length || keys.length !== cols.length)
      throw new Error(`toDataFrame: row ${i} has columns ${keys.join(", ")}; expected ${cols.join(", ")}`);
  });
  if (rows.length === 0) return new dfd.DataFrame([], { columns: [...cols] });
  return new dfd.DataFrame(
    rows.map((r) => cols.map((c) => (r as Record<string, unknown>)[c])),
    { columns: [...cols] },
  );
}

export interface ShowFrameOptions {
  caption?: string;
  /** Show at most this many rows (default 50); the caption says how many were left out. */
  maxRows?: number;
}

/** Shows a DataFrame inline as an HTML table; cell text is escaped. */
export function showDataFrame(df: dfd.DataFrame, options: ShowFrameOptions = {}): void {
  const { maxRows = 50 } = options;
  const columns = df.columns.map(String);
  const values = (df.shape[0] === 0 ? [] : (df.values as unknown[][])).slice(0, maxRows);
  const more = df.shape[0] > maxRows ? ` (first ${maxRows} of ${df.shape[0]} rows)` : "";
  showTable(columns, values, options.caption ? `${options.caption}${more}` : more || undefined);
}
