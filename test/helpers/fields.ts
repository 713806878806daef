// Values written from a field table's rows, so that the tests of every setting (its flag, its
// notebook parameter) cover a setting added to the table without a hand-written case.
import type { Field } from "../../lib/core/fields";

/** A value of a field other than its default, inside its range, as typed text; throws for a "json" or "name" field. */
export function otherValue(field: Field): string {
  const d = field.default;
  switch (field.type) {
    case "boolean":
      return String(!d);
    case "choice":
      return String((field.choices ?? []).find((c) => c !== d));
    case "integer":
      return String(field.max !== undefined && (d as number) + 1 > field.max ? (d as number) - 1 : (d as number) + 1);
    case "number":
      return String((d as number) / 2 > (field.above ?? field.min ?? -Infinity) ? (d as number) / 2 : (d as number) + 1);
    default:
      throw new Error(`no generated value for a ${field.type} field; write one by hand`);
  }
}
