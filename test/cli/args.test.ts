import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Command, commandHelp, parseCommandArgs, UsageError } from "../../lib/cli/args";

const command: Command = {
  name: "demo",
  summary: "a demo",
  usage: "cvae demo [--epochs N]",
  flags: {
    epochs: { type: "number", help: "epochs", default: 10 },
    json: { type: "boolean", help: "JSON output" },
    param: { type: "strings", help: "params" },
  },
  run: async () => 0,
};

describe("parseCommandArgs(command, argv)", () => {
  it("reads numbers, booleans, repeated flags and positionals with defaults", () => {
    assert.deepEqual(parseCommandArgs(command, ["a", "--epochs", "3", "--param", "x=1", "--param", "y=2", "--json"]), {
      positionals: ["a"],
      flags: { epochs: 3, json: true, param: ["x=1", "y=2"] },
    });
    assert.deepEqual(parseCommandArgs(command, []).flags, { epochs: 10, json: undefined, param: [] });
  });
  it("rejects unknown flags and non-numbers, naming the command and flag", () => {
    assert.throws(
      () => parseCommandArgs(command, ["--epoch", "3"]),
      (e: Error) => e instanceof UsageError && /cvae demo: Unknown option '--epoch'/.test(e.message),
    );
    assert.throws(() => parseCommandArgs(command, ["--epochs", "ten"]), /cvae demo: --epochs expects a number, got "ten"/);
  });
});

describe("commandHelp(command)", () => {
  it("lists every flag with its default", () => {
    const help = commandHelp(command);
    assert.match(help, /--epochs N +epochs \(default 10\)/);
    assert.match(help, /--param VALUE +params \(repeatable\)/);
  });
});
