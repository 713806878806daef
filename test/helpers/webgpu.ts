// Tests that force the webgpu backend (llvmpipe in CI) in their own process: the skip option
// their cases take, the reason the backend did not start, or false when it did.
import { initBackend } from "../../lib/model/backend";

export async function forceWebGpu(): Promise<string | false> {
  process.env.CVAE_BACKEND = "webgpu";
  return initBackend({ log: false }).then(
    () => false,
    (err: Error) => err.message,
  );
}
