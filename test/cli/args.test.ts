import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { closestFlags, type Command, commandHelp, defineCommand, flagsOfFields, parseCommandArgs, UsageError } from "../../lib/cli/args";
import type { FieldTable } from "../../lib/core/fields";

const command: Command = {
  name: "demo",
  usage: "cvae demo [--epochs N]",
  flags: {
    epochs: { type: "integer", help: "epochs", default: 10, min: 1, max: 1000 },
    lr: { type: "number", help: "rate", min: 0 },
    json: { type: "boolean", help: "JSON output" },
    param: { type: "strings", help: "params" },
    split: { type: "string", help: "split", choices: ["test", "valid"], default: "test" },
    run: { type: "string", help: "run", names: "run" },
  },
  plan: () => null,
  execute: async () => 0,
};

describe("parseCommandArgs(command, argv)", () => {
  it("reads numbers, booleans, repeated flags and positionals; `given` holds only what was typed, `values` adds the defaults", () => {
    const args = parseCommandArgs(command, ["a", "--epochs", "3", "--param", "x=1", "--param", "y=2", "--json"]);
    assert.deepEqual(args.positionals, ["a"]);
    assert.deepEqual(args.given, { epochs: 3, json: true, param: ["x=1", "y=2"] });
    assert.deepEqual(args.values, { epochs: 3, lr: undefined, json: true, param: ["x=1", "y=2"], split: "test", run: undefined });
    const none = parseCommandArgs(command, []);
    assert.deepEqual(none.given, {});
    assert.equal(none.values.epochs, 10);
  });

  it("rejects an unknown flag in one line that names the closest flag and where the flags are listed", () => {
    for (const argv of [["--epoch", "3"], ["--epohcs=3"], ["3", "--Epochs", "3"]]) {
      assert.throws(
        () => parseCommandArgs(command, argv),
        (e: Error) => {
          assert.ok(e instanceof UsageError);
          const flag = argv.find((a) => a.startsWith("--"))?.replace(/=.*/, "");
          assert.equal(e.message, `cvae demo: unknown flag ${flag}; did you mean --epochs? (cvae demo --help lists them)`);
          return true;
        },
        argv.join(" "),
      );
    }
  });

  it("rejects an unknown flag that is close to no flag, or a short one, in one line without a guess", () => {
    assert.throws(() => parseCommandArgs(command, ["--epochs", "3", "--zzzz"]), {
      message: "cvae demo: unknown flag --zzzz (cvae demo --help lists them)",
    });
    assert.throws(() => parseCommandArgs(command, ["-x"]), { message: "cvae demo: unknown flag -x (cvae demo --help lists them)" });
  });

  it("reads a negative number given as the next word of a flag as its value, so the flag's own checks judge it", () => {
    assert.throws(() => parseCommandArgs(command, ["--epochs", "-1"]), { message: 'cvae demo: --epochs must be at least 1, got "-1"' });
    assert.throws(() => parseCommandArgs(command, ["--lr", "-0.5"]), { message: 'cvae demo: --lr must be at least 0, got "-0.5"' });
    assert.throws(() => parseCommandArgs(command, ["--epochs", "-0x10"]), {
      message: 'cvae demo: --epochs expects a whole number, got "-0x10"',
    });
    assert.throws(() => parseCommandArgs(command, ["--split", "-1"]), {
      message: 'cvae demo: --split must be one of test, valid, got "-1"',
    });
    const free = {
      name: "demo",
      flags: { shift: { type: "number" as const, help: "any number" }, json: { type: "boolean" as const, help: "" } },
    };
    assert.deepEqual(parseCommandArgs(free, ["--shift", "-.5", "a"]), {
      positionals: ["a"],
      given: { shift: -0.5 },
      values: { shift: -0.5, json: undefined },
    });
    assert.deepEqual(parseCommandArgs(free, ["--shift", "-1e3", "--json"]).given, { shift: -1000, json: true });
    assert.deepEqual(parseCommandArgs(free, ["--", "--shift", "-1"]).positionals, ["--shift", "-1"]);
  });

  it("refuses a flag whose next word is another flag, or that ends the line, in one line that names the flag lacking its value", () => {
    assert.throws(() => parseCommandArgs(command, ["--run", "--json"]), {
      message: 'cvae demo: --run needs a value, got "--json", which reads as a flag (a value that starts with "-" is written --run=VALUE)',
    });
    assert.throws(() => parseCommandArgs(command, ["--json", "--lr"]), { message: "cvae demo: --lr needs a value" });
    assert.throws(() => parseCommandArgs(command, ["--lr", "-Infinity"]), {
      message: /^cvae demo: --lr needs a value, got "-Infinity", which reads as a flag/,
    });
    // An unknown flag before it is reported first, as before.
    assert.throws(() => parseCommandArgs(command, ["--zzzz", "--run", "--json"]), { message: /^cvae demo: unknown flag --zzzz / });
  });

  it("refuses a value given to a switch (--json=1) in one line that names it", () => {
    assert.throws(() => parseCommandArgs(command, ["--json=1"]), { message: 'cvae demo: --json is a switch and takes no value, got "1"' });
  });

  it('refuses an empty or blank value of a text flag (--config=, --run " ") instead of quietly using the default', () => {
    const command = {
      name: "demo",
      flags: { config: { type: "string" as const, help: "a file" }, param: { type: "strings" as const, help: "k=v" } },
    };
    assert.throws(() => parseCommandArgs(command, ["--config="]), /cvae demo: --config needs a value \(it was empty\), got ""/);
    assert.throws(() => parseCommandArgs(command, ["--config", "  "]), /--config needs a value/);
    assert.throws(() => parseCommandArgs(command, ["--param", "a=1", "--param="]), /--param needs a value each time it is given/);
    assert.equal(parseCommandArgs(command, ["--config", "c.json"]).values.config, "c.json");
  });

  it("reads numbers strictly: no hex, octal, binary, blanks, Infinity or trailing text", () => {
    for (const bad of ["0x10", "0o7", "0b1", "", " ", "Infinity", "3abc", "1,5", "NaN"]) {
      assert.throws(() => parseCommandArgs(command, ["--lr", bad]), /cvae demo: --lr expects a (finite )?number/, bad);
    }
    assert.equal(parseCommandArgs(command, ["--lr", "1e-3"]).given.lr, 0.001);
    assert.equal(parseCommandArgs(command, ["--lr", ".5"]).given.lr, 0.5);
  });

  it("requires whole numbers for integer flags and checks their range", () => {
    assert.throws(() => parseCommandArgs(command, ["--epochs", "2.5"]), /--epochs expects a whole number, got "2.5"/);
    assert.throws(() => parseCommandArgs(command, ["--epochs", "1e2"]), /--epochs expects a whole number/);
    assert.throws(() => parseCommandArgs(command, ["--epochs", "0"]), /--epochs must be at least 1, got "0"/);
    assert.throws(() => parseCommandArgs(command, ["--epochs", "5000"]), /--epochs must be at most 1000/);
    assert.throws(() => parseCommandArgs(command, ["--lr=-1"]), /--lr must be at least 0/);
  });

  it("checks choices and names", () => {
    assert.throws(() => parseCommandArgs(command, ["--split", "bogus"]), /--split must be one of test, valid, got "bogus"/);
    for (const bad of ["..", ".", "../x", "a/b", ".hidden", "x y", "-x", "a..b"]) {
      assert.throws(
        () => parseCommandArgs(command, [`--run=${bad}`]),
        /--run: run name .* is not a plain folder name|--run: run name is empty/,
        bad,
      );
    }
    assert.equal(parseCommandArgs(command, ["--run", "cvae-ml-1m_v2.1"]).given.run, "cvae-ml-1m_v2.1");
  });
});

describe("defineCommand(command): flag values typed from their specs", () => {
  const typed = defineCommand({
    name: "typed",
    usage: "cvae typed",
    flags: {
      split: { type: "string", help: "split", choices: ["test", "valid"], default: "test" },
      n: { type: "integer", help: "n", default: 10, min: 1 },
      user: { type: "integer", help: "user", min: 0 },
      json: { type: "boolean", help: "json" },
    },
    plan: ({ values }) => values,
    execute: async () => 0,
  });

  it("gives a choice flag its union, a number flag a number, and undefined only to flags without a default", () => {
    const { values } = parseCommandArgs(typed, ["--split", "valid", "--n", "3"]);
    const split: "test" | "valid" = values.split;
    const n: number = values.n;
    const user: number | undefined = values.user;
    // @ts-expect-error a flag without a default may be absent
    const strictUser: number = values.user;
    // @ts-expect-error a choice is not any string
    const other: "train" = values.split;
    assert.deepEqual([split, n, user, strictUser, other, values.json], ["valid", 3, undefined, undefined, "valid", undefined]);
  });
});

describe("flagsOfFields(table)", () => {
  interface Demo {
    batchSize: number;
    rate: number;
    mode: "a" | "b";
  }
  const table: FieldTable<Demo> = {
    batchSize: { type: "integer", default: 500, min: 1, max: 100, help: "rows", reason: "r" },
    rate: { type: "number", default: 0.5, min: 0, below: 1, help: "rate", reason: "r" },
    mode: { type: "choice", choices: ["a", "b"], default: "a", flag: "the-mode", help: "mode", reason: "r" },
  };

  it("names flags in kebab case (or as the field says) with the field's range, choices and default", () => {
    const flags = flagsOfFields(table);
    assert.deepEqual(Object.keys(flags), ["batch-size", "rate", "the-mode"]);
    assert.deepEqual(flags["batch-size"], { type: "integer", help: "rows", min: 1, max: 100, defaultText: "500" });
    assert.deepEqual(flags["the-mode"].choices, ["a", "b"]);
    const demo = { name: "demo", flags };
    assert.equal(parseCommandArgs(demo, ["--rate", "0.25"]).given.rate, 0.25);
    assert.throws(() => parseCommandArgs(demo, ["--rate", "1"]), { message: 'cvae demo: --rate must be less than 1, got "1"' });
    assert.throws(() => parseCommandArgs(demo, ["--batch-size", "101"]), /--batch-size must be at most 100/);
  });
});

describe("closestFlags(name, flags)", () => {
  const flags = ["latent", "hidden", "seed", "batch-size", "beta", "beta-cap", "epochs"];
  it("finds a flag one or two edits away, a swapped pair of letters counting as one edit, whatever the case", () => {
    assert.deepEqual(closestFlags("latnet", flags), ["latent"]);
    assert.deepEqual(closestFlags("HIDEN", flags), ["hidden"]);
    assert.deepEqual(closestFlags("seeds", flags), ["seed"]);
  });
  it("names every flag at the smallest distance, and allows one edit only in a name of four letters or fewer", () => {
    assert.deepEqual(closestFlags("bet", flags), ["beta"]);
    assert.deepEqual(closestFlags("sed", flags), ["seed"]);
    assert.deepEqual(closestFlags("xeex", flags), []);
    assert.deepEqual(closestFlags("betas", ["beta", "betas2"]), ["beta", "betas2"]);
  });
  it("falls back to the flags a name of three letters or more begins, and else finds nothing", () => {
    assert.deepEqual(closestFlags("batch", flags), ["batch-size"]);
    assert.deepEqual(closestFlags("zzzz", flags), []);
    assert.deepEqual(closestFlags("ep", flags), []);
  });
});

describe("commandHelp(command, summary)", () => {
  it("starts with the command and its summary, then lists every flag with its default, range and choices", () => {
    const help = commandHelp(command, "a demo");
    assert.match(help, /^cvae demo: a demo\n\nusage: cvae demo \[--epochs N\]/);
    assert.match(help, /--epochs N +epochs \[1\.\.1000\] \(default 10\)/);
    assert.match(help, /--param VALUE +params \(repeatable\)/);
    assert.match(help, /--split VALUE +split \[test \| valid\] \(default test\)/);
  });
});
