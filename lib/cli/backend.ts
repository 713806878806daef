// `cvae backend`: which compute backend loads here, and why the faster ones did not.
import { BACKEND_NAMES, type BackendChoice, describeBackend, initBackend, parseBackendChoice } from "../model/backend";
import { defineCommand, noPositionals } from "./args";

export const backendCommand = defineCommand({
  name: "backend",
  usage: "cvae backend [--json] [--backend auto|webgpu|tensorflow|blas|wasm|cpu]",
  flags: {
    json: { type: "boolean", help: "print JSON" },
    backend: { type: "string", help: "backend to try", default: "auto", choices: ["auto", ...BACKEND_NAMES] },
  },
  plan({ positionals, values }): { backend: BackendChoice; json: boolean } {
    noPositionals("backend", positionals);
    return { backend: parseBackendChoice(values.backend, "--backend"), json: Boolean(values.json) };
  },
  async execute({ backend, json }) {
    const info = await initBackend({ backend, log: false });
    console.log(json ? JSON.stringify(info, null, 2) : describeBackend(info));
    return 0;
  },
});
