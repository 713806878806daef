// Runs a test body with one environment variable set, and puts the variable back (or removes it)
// however the body ends: tests that point CVAE_DATA_DIR or CVAE_WEBGPU_SUBGROUPS somewhere else.
export async function withEnv<T>(name: string, value: string, body: () => T | Promise<T>): Promise<T> {
  const saved = process.env[name];
  process.env[name] = value;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}
