// Finds a WebGPU adapter through Dawn's Node binding (the optional npm package `webgpu`) and
// opens a device on it. Everything here says why when it fails: the package is optional, a
// machine may have no Vulkan driver (Linux), or only a software one (Mesa's llvmpipe, which
// is correct and slow: tests use it, `auto` does not pick it).
/// <reference types="@webgpu/types" />
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (llvmpipe, SwiftShader, WARP): correct, far too slow to train on. */
  software: boolean;
  /** Subgroup operations can run: the `subgroups` feature and WGSL's subgroup_id (the softmax's reductions use them). */
  subgroups: boolean;
  /** The largest storage buffer one binding can see, in bytes (caps the model's m x H). */
  maxBinding: number;
}

// Both members name both fields, so the type narrows in a notebook too (tslab compiles without strictNullChecks).
export type AdapterProbe = { ok: true; info: AdapterInfo; reason?: undefined } | { ok: false; reason: string; info?: undefined };

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let dawn: Promise<DawnModule | Error> | null = null;

/**
 * Loads Dawn's native binding from the `webgpu` package once. It is required directly rather than
 * imported through the package's ES-module entry: under an ES-module loader thread (`node --import
 * tsx`, as the tests run) a process that had loaded it through import() crashed at exit about one run in five.
 */
function loadDawn(): Promise<DawnModule | Error> {
  if (!dawn) {
    dawn = new Promise((resolve) => {
      try {
        const load: (id: string) => unknown = require;
        const root = dirname(require.resolve("webgpu/package.json"));
        const arch = process.platform === "darwin" ? "universal" : process.arch;
        const mod = load(join(root, "dist", `${process.platform}-${arch}`, "dawn.node")) as DawnModule;
        // GPUBufferUsage, GPUMapMode and GPUShaderStage are globals in a browser; Dawn hands them over.
        for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) Object.assign(globalThis, { [k]: v });
        resolve(mod);
      } catch (err) {
        resolve(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }
  return dawn;
}

/** What an adapter is, in the words `cvae backend` prints. */
export function describeAdapter(info: AdapterInfo): string {
  const kind = info.software ? "software" : "hardware";
  const name = info.description || [info.vendor, info.device].filter(Boolean).join(" ") || "unnamed adapter";
  return `${name} (${kind}; vendor ${info.vendor || "?"}, architecture ${info.architecture || "?"})`;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|softpipe|\bwarp\b|microsoft basic render/i;

function infoOf(adapter: GPUAdapter): AdapterInfo {
  const i = adapter.info;
  const text = `${i.vendor} ${i.architecture} ${i.device} ${i.description}`;
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    software: Boolean((i as { isFallbackAdapter?: boolean }).isFallbackAdapter) || i.architecture === "software" || SOFTWARE.test(text),
    subgroups: adapter.features.has("subgroups") && Boolean(instance?.wgslLanguageFeatures.has("subgroup_id")),
    maxBinding: adapter.limits.maxStorageBufferBindingSize,
  };
}

/** A Vulkan driver manifest (Linux): the loader finds adapters through these. */
export interface VulkanDriver {
  path: string;
  /** Mesa's lavapipe (llvmpipe) or SwiftShader: a CPU implementation. */
  software: boolean;
}

/**
 * The Vulkan drivers the loader would see on Linux (VK_DRIVER_FILES or VK_ICD_FILENAMES, else the
 * standard manifest folders); null on other systems, where WebGPU runs on Metal or D3D12. Lets
 * `auto` skip loading Dawn (~0.4 s, and Mesa's warnings) on a machine with no hardware driver.
 */
export function vulkanDrivers(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): VulkanDriver[] | null {
  if (platform !== "linux") return null;
  const listed = env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES;
  let paths: string[];
  if (listed) paths = listed.split(":").filter(Boolean);
  else {
    const dataDirs = (env.XDG_DATA_DIRS || "/usr/local/share:/usr/share").split(":").filter(Boolean);
    const folders = ["/etc/vulkan/icd.d", ...dataDirs.map((d) => join(d, "vulkan", "icd.d"))];
    paths = folders.flatMap((dir) => {
      try {
        return readdirSync(dir)
          .filter((f) => f.endsWith(".json"))
          .map((f) => join(dir, f));
      } catch {
        return [];
      }
    });
  }
  return paths.map((path) => ({ path, software: /lvp|lavapipe|llvmpipe|swiftshader/i.test(path) }));
}

/** GPU device nodes on Linux: DRM render nodes, NVIDIA's devices, WSL's GPU. */
export function gpuDeviceNodes(dev = "/dev"): string[] {
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return [
    ...list(join(dev, "dri"))
      .filter((f) => f.startsWith("renderD"))
      .map((f) => join(dev, "dri", f)),
    ...list(dev)
      .filter((f) => /^nvidia\d+$/.test(f) || f === "dxg")
      .map((f) => join(dev, f)),
  ];
}

/**
 * Why `auto` need not try WebGPU on this Linux machine (no Vulkan driver, only software ones, or
 * no GPU device node for a hardware driver to open), or null to try it (always elsewhere).
 */
export function noHardwareDriver(env: NodeJS.ProcessEnv = process.env, platform: string = process.platform, dev = "/dev"): string | null {
  const drivers = vulkanDrivers(env, platform);
  if (drivers === null) return null;
  if (drivers.length === 0) return "no Vulkan driver is installed (a GPU driver with Vulkan gives WebGPU an adapter)";
  const forced = " (CVAE_BACKEND=webgpu tries anyway)";
  if (drivers.every((d) => d.software)) return `only a software Vulkan driver is installed${forced}`;
  if (gpuDeviceNodes(dev).length === 0) return `no GPU device (no ${join(dev, "dri", "renderD*")} or ${join(dev, "nvidia*")})${forced}`;
  return null;
}

let probed: Promise<AdapterProbe> | null = null;
/**
 * The WebGPU instance, held for the life of the process: an adapter does not keep its instance
 * alive in Dawn's binding, and once the garbage collector took it, Dawn's event processing
 * crashed on the freed instance (a futex error or a segfault, in most runs of a training step).
 */
let instance: GPU | null = null;

/** The best adapter this machine offers (asked once per process), or why there is none. */
export function probeAdapter(): Promise<AdapterProbe> {
  if (!probed) probed = findAdapter();
  return probed;
}

async function findAdapter(): Promise<AdapterProbe> {
  const mod = await loadDawn();
  if (mod instanceof Error) {
    const missing = (mod as { code?: string }).code === "MODULE_NOT_FOUND" && /webgpu\/package\.json/.test(mod.message);
    return {
      ok: false,
      reason: missing ? "the optional package `webgpu` is not installed" : `package \`webgpu\` did not load: ${firstLine(mod)}`,
    };
  }
  // Mesa warns about XDG_RUNTIME_DIR when it is unset; any writable folder silences it.
  process.env.XDG_RUNTIME_DIR ??= require("node:os").tmpdir();
  let adapter: GPUAdapter | null;
  try {
    instance ??= mod.create([]);
    adapter = await instance.requestAdapter({ powerPreference: "high-performance" });
  } catch (err) {
    return { ok: false, reason: `requestAdapter failed: ${firstLine(err)}` };
  }
  if (!adapter) {
    const hint =
      process.platform === "linux" ? "a GPU driver with Vulkan (or, for tests, Mesa >= 25's llvmpipe) is needed" : "no WebGPU device";
    return { ok: false, reason: `no WebGPU adapter (${hint})` };
  }
  return { ok: true, info: infoOf(adapter) };
}

/** The values of CVAE_WEBGPU_SUBGROUPS: "auto" (the default) uses subgroups where the adapter offers them. */
export const SUBGROUP_SETTINGS = ["auto", "off"] as const;
export type SubgroupSetting = (typeof SUBGROUP_SETTINGS)[number];

/** CVAE_WEBGPU_SUBGROUPS, checked: "off" keeps the shared-memory reductions (a driver whose subgroups misbehave). */
export function subgroupSetting(env: NodeJS.ProcessEnv = process.env): SubgroupSetting {
  const value = (env.CVAE_WEBGPU_SUBGROUPS ?? "").trim().toLowerCase() || "auto";
  if (!(SUBGROUP_SETTINGS as readonly string[]).includes(value))
    throw new Error(
      `CVAE_WEBGPU_SUBGROUPS="${env.CVAE_WEBGPU_SUBGROUPS}" is not one of ${SUBGROUP_SETTINGS.join(", ")} ` +
        "(it matters on the webgpu backend only; unset it for auto)",
    );
  return value as SubgroupSetting;
}

/**
 * A device with the adapter's own buffer limits (the defaults cap a binding at 128 MiB). Each call
 * asks for a fresh adapter: an adapter gives one device only, and a process may train many models.
 * With the `subgroups` feature where the adapter offers it and CVAE_WEBGPU_SUBGROUPS is not "off".
 * Call probeAdapter() first.
 */
export async function openDevice(): Promise<GPUDevice> {
  const adapter = (await instance?.requestAdapter({ powerPreference: "high-performance" })) ?? null;
  if (!adapter) throw new Error('backend "webgpu": the adapter found earlier is gone; use CVAE_BACKEND=blas');
  const limits = adapter.limits;
  const subgroups = subgroupSetting() === "auto" && infoOf(adapter).subgroups;
  try {
    return await adapter.requestDevice({
      // @webgpu/types 0.1.74 predates the `subgroups` feature that Dawn offers.
      requiredFeatures: (subgroups ? ["subgroups"] : []) as unknown as GPUFeatureName[],
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxStorageBuffersPerShaderStage: Math.min(10, limits.maxStorageBuffersPerShaderStage),
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: Math.min(256, limits.maxComputeInvocationsPerWorkgroup),
      },
    });
  } catch (err) {
    throw new Error(`backend "webgpu": the adapter refused a device (${firstLine(err)}); use CVAE_BACKEND=blas`, { cause: err });
  }
}

export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0];
}
