// Checks that JSON read from disk has the shape the code relies on, with messages that
// name the file and the field ("dataset.json: summary.items must be an integer, got
// undefined"), instead of "Cannot read properties of undefined" somewhere later.
import { readFileSync } from "node:fs";
import { requireRegularFile } from "./fs";
import { explainOsError } from "./fs-errors";

export type Shape =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "any"
  | { literal: string | number | boolean }
  | { array: Shape }
  | { object: Record<string, Shape>; optional?: readonly string[] }
  | { record: Shape }
  | { nullable: Shape }
  | { oneOf: readonly Shape[] };

function describe(shape: Shape): string {
  if (typeof shape === "string") return shape === "integer" ? "an integer" : shape === "any" ? "present" : `a ${shape}`;
  if ("literal" in shape) return JSON.stringify(shape.literal);
  if ("array" in shape) return "an array";
  if ("object" in shape || "record" in shape) return "an object";
  if ("nullable" in shape) return `${describe(shape.nullable)} or null`;
  return shape.oneOf.map(describe).join(" or ");
}

function show(value: unknown): string {
  if (value === undefined) return "nothing (missing)";
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The first mismatch as "<path> must be <what>, got <value>", or null when `value` fits `shape`. */
export function shapeError(value: unknown, shape: Shape, path = ""): string | null {
  const here = path || "the document";
  const fail = () => `${here} must be ${describe(shape)}, got ${show(value)}`;
  if (typeof shape === "string") {
    switch (shape) {
      case "any":
        return value === undefined ? fail() : null;
      case "integer":
        return Number.isInteger(value) ? null : fail();
      case "number":
        return typeof value === "number" && Number.isFinite(value) ? null : fail();
      default:
        return typeof value === shape ? null : fail();
    }
  }
  if ("literal" in shape) return value === shape.literal ? null : fail();
  if ("nullable" in shape) return value === null ? null : shapeError(value, shape.nullable, path);
  if ("oneOf" in shape) return shape.oneOf.some((s) => shapeError(value, s, path) === null) ? null : fail();
  if ("array" in shape) {
    if (!Array.isArray(value)) return fail();
    for (let i = 0; i < value.length; i++) {
      const e = shapeError(value[i], shape.array, `${path}[${i}]`);
      if (e) return e;
    }
    return null;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return fail();
  const obj = value as Record<string, unknown>;
  const join = (k: string) => (path ? `${path}.${k}` : k);
  if ("record" in shape) {
    for (const [k, v] of Object.entries(obj)) {
      const e = shapeError(v, shape.record, join(k));
      if (e) return e;
    }
    return null;
  }
  for (const [k, s] of Object.entries(shape.object)) {
    if (obj[k] === undefined && shape.optional?.includes(k)) continue;
    const e = shapeError(obj[k], s, join(k));
    if (e) return e;
  }
  return null;
}

/** Throws `${file}: <mismatch>${hint}` when `value` does not fit `shape`. */
export function checkShape<T>(value: unknown, shape: Shape, file: string, hint = ""): T {
  const e = shapeError(value, shape);
  if (e) throw new Error(`${file}: ${e}${hint}`);
  return value as T;
}

/** Reads and parses a JSON file and checks its shape; every error names the file. */
export function readJsonFile<T>(file: string, shape: Shape, hint = ""): T {
  let text: string;
  try {
    requireRegularFile(file, "a JSON file"); // a FIFO would block the read, a device never end it
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${(explainOsError(err, { path: file, expected: "a JSON file" }) as Error).message}${hint}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})${hint}`, { cause: err });
  }
  return checkShape<T>(value, shape, file, hint);
}

/** Shape of the checksum record of binary files, written beside them in their JSON. */
export const FILE_SUMS: Shape = { record: { object: { bytes: "integer", crc32: "string" } } };
