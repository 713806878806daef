import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  defaultsOf,
  type Field,
  fieldProblem,
  type FieldTable,
  flagOf,
  fromFlags,
  parseFieldText,
  rangeText,
  unknownKeys,
  validateFields,
} from "../../lib/core/fields";

interface Toy {
  size: number;
  rate: number;
  mode: "a" | "b";
  on: boolean;
  name: string;
  schedule: { cap: number };
  hidden: number;
}

const TOY: FieldTable<Toy> = {
  size: { type: "integer", default: 4, min: 1, max: 10, help: "size", reason: "small" },
  rate: { type: "number", default: 0.5, min: 0, below: 1, help: "rate", reason: "half" },
  mode: { type: "choice", choices: ["a", "b"], default: "a", help: "mode", reason: "first" },
  on: { type: "boolean", default: true, help: "on", reason: "yes" },
  name: { type: "name", nameKind: "run", default: "x", help: "name", reason: "short" },
  schedule: {
    type: "json",
    default: { cap: 1 },
    help: "schedule",
    reason: "one",
    check: (s) => (s.cap >= 0 ? null : "cap must be >= 0"),
    flags: {
      flags: { cap: { type: "number", default: 1, min: 0, help: "cap", reason: "one" } },
      read: (given, current) => (given.cap === undefined ? undefined : { ...current, cap: Number(given.cap) }),
    },
  },
  hidden: { type: "integer", default: 3, min: 1, flag: false, help: "no flag", reason: "set elsewhere" },
};

describe("field tables", () => {
  it("defaultsOf gives every default, in the table's order, as fresh copies", () => {
    const a = defaultsOf(TOY);
    assert.deepEqual(Object.keys(a), ["size", "rate", "mode", "on", "name", "schedule", "hidden"]);
    assert.deepEqual(a, { size: 4, rate: 0.5, mode: "a", on: true, name: "x", schedule: { cap: 1 }, hidden: 3 });
    a.schedule.cap = 9;
    assert.equal(defaultsOf(TOY).schedule.cap, 1);
  });

  it("says a range in words with inclusive and exclusive ends", () => {
    assert.equal(rangeText(TOY.size as Field), "in [1, 10]");
    assert.equal(rangeText(TOY.rate as Field), "in [0, 1)");
    assert.equal(rangeText({ type: "number", default: 1, above: 0, help: "", reason: "" }), "greater than 0");
    assert.equal(rangeText({ type: "number", default: 1, help: "", reason: "" }), "");
  });

  it("finds the problem with a value at and just past each bound, and none inside", () => {
    const size = TOY.size as Field;
    assert.equal(fieldProblem(size, 1), null);
    assert.equal(fieldProblem(size, 10), null);
    assert.equal(fieldProblem(size, 0), "must be a positive integer");
    assert.equal(fieldProblem(size, 11), "must be in [1, 10]");
    assert.equal(fieldProblem(size, 2.5), "must be an integer in [1, 10]");
    const rate = TOY.rate as Field;
    assert.equal(fieldProblem(rate, 0), null);
    assert.equal(fieldProblem(rate, 0.999), null);
    assert.equal(fieldProblem(rate, 1), "must be in [0, 1)");
    assert.equal(fieldProblem(rate, NaN), "must be a finite number in [0, 1)");
    assert.equal(fieldProblem(TOY.mode as Field, "c"), 'must be one of "a", "b"');
    assert.equal(fieldProblem(TOY.on as Field, "true"), "must be true or false");
    assert.match(fieldProblem(TOY.name as Field, "../x") ?? "", /plain folder name for a run/);
    assert.equal(fieldProblem(TOY.schedule as Field, { cap: -1 }), "cap must be >= 0");
  });

  it("validateFields names the first bad key and its value", () => {
    const bad = { ...defaultsOf(TOY), rate: 2 };
    assert.throws(() => validateFields(TOY, bad, "toy"), { name: "RangeError", message: "toy: rate must be in [0, 1), got 2" });
    assert.equal(validateFields(TOY, defaultsOf(TOY), "toy").size, 4);
  });

  it("reads typed text as the field's type and rejects what is not, naming where", () => {
    assert.equal(parseFieldText(TOY.size, "7", "--size"), 7);
    assert.equal(parseFieldText(TOY.rate, ".25", "--rate"), 0.25);
    assert.equal(parseFieldText(TOY.on, "false", "--on"), false);
    assert.equal(parseFieldText(TOY.mode, "b", "--mode"), "b");
    assert.deepEqual(parseFieldText(TOY.schedule, '{"cap":2}', "schedule"), { cap: 2 });
    assert.throws(() => parseFieldText(TOY.size, "0x10", "--size"), { message: '--size expects a whole number, got "0x10"' });
    assert.throws(() => parseFieldText(TOY.size, "1.5", "--size"), /expects a whole number/);
    assert.throws(() => parseFieldText(TOY.size, "", "--size"), /expects a whole number/);
    assert.throws(() => parseFieldText(TOY.size, "11", "--size"), { message: '--size must be in [1, 10], got "11"' });
    assert.throws(() => parseFieldText(TOY.on, "yes", "--on"), /expects true or false/);
    assert.throws(() => parseFieldText(TOY.schedule, "{", "schedule"), /schedule cannot be read/);
    assert.throws(() => parseFieldText(TOY.schedule, '{"cap":-1}', "schedule"), /schedule cap must be >= 0/);
  });

  it("names each field's flag in kebab case, none for flag: false or a field with flags of its own", () => {
    assert.equal(flagOf("size", TOY.size as Field), "size");
    assert.equal(flagOf("batchSize", { type: "integer", default: 1, help: "", reason: "" }), "batch-size");
    assert.equal(flagOf("hidden", TOY.hidden as Field), null);
    assert.equal(flagOf("schedule", TOY.schedule as Field), null);
  });

  it("fromFlags sets exactly the keys whose flags were typed, compound fields over the current value", () => {
    const current = defaultsOf(TOY);
    assert.deepEqual(fromFlags(TOY, {}, current), {});
    assert.deepEqual(fromFlags(TOY, { size: 5, cap: 3, hidden: 9 }, current), { size: 5, schedule: { cap: 3 } });
  });

  it("lists keys a table does not have", () => {
    assert.deepEqual(unknownKeys(TOY as FieldTable<unknown>, { size: 1, sise: 2 }), ["sise"]);
  });
});
