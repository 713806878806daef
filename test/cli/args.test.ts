import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Command, commandHelp, parseCommandArgs, UsageError } from "../../lib/cli/args";

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

  it("rejects unknown flags, naming the command and flag", () => {
    assert.throws(
      () => parseCommandArgs(command, ["--epoch", "3"]),
      (e: Error) => e instanceof UsageError && /cvae demo: Unknown option '--epoch'/.test(e.message),
    );
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

describe("commandHelp(command, summary)", () => {
  it("starts with the command and its summary, then lists every flag with its default, range and choices", () => {
    const help = commandHelp(command, "a demo");
    assert.match(help, /^cvae demo: a demo\n\nusage: cvae demo \[--epochs N\]/);
    assert.match(help, /--epochs N +epochs \[1\.\.1000\] \(default 10\)/);
    assert.match(help, /--param VALUE +params \(repeatable\)/);
    assert.match(help, /--split VALUE +split \[test \| valid\] \(default test\)/);
  });
});
