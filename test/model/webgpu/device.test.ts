import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { describeAdapter, gpuDeviceNodes, noHardwareDriver, subgroupSetting, vulkanDrivers } from "../../../lib/model/webgpu/device";
import { tempDir } from "../../helpers/temp";

/** A fake root: Vulkan manifests under share/vulkan/icd.d and device nodes under dev/. */
function fakeMachine(manifests: string[], nodes: string[]): { env: NodeJS.ProcessEnv; dev: string } {
  const root = tempDir("vk-");
  mkdirSync(join(root, "share", "vulkan", "icd.d"), { recursive: true });
  for (const m of manifests) writeFileSync(join(root, "share", "vulkan", "icd.d", m), "{}");
  mkdirSync(join(root, "dev", "dri"), { recursive: true });
  for (const n of nodes) writeFileSync(join(root, "dev", n), "");
  return { env: { XDG_DATA_DIRS: join(root, "share") }, dev: join(root, "dev") };
}

describe("vulkanDrivers(env, platform)", () => {
  it("lists the manifests of the standard folders and marks lavapipe and SwiftShader as software", () => {
    const { env } = fakeMachine(["lvp_icd.json", "nvidia_icd.json", "README"], []);
    const drivers = vulkanDrivers(env, "linux") ?? [];
    assert.deepEqual(drivers.map((d) => [d.path.split("/").pop(), d.software]).sort(), [
      ["lvp_icd.json", true],
      ["nvidia_icd.json", false],
    ]);
  });

  it("takes VK_DRIVER_FILES as the whole list when set, and says nothing on macOS or Windows (no Vulkan needed)", () => {
    assert.deepEqual(vulkanDrivers({ VK_DRIVER_FILES: "/a/swiftshader_icd.json:/b/x.json" }, "linux"), [
      { path: "/a/swiftshader_icd.json", software: true },
      { path: "/b/x.json", software: false },
    ]);
    assert.equal(vulkanDrivers({}, "darwin"), null);
    assert.equal(vulkanDrivers({}, "win32"), null);
  });
});

describe("noHardwareDriver(env, platform, dev)", () => {
  it("says why auto need not load Dawn: no driver, only software drivers, or no GPU device node", () => {
    const none = fakeMachine([], []);
    assert.match(noHardwareDriver(none.env, "linux", none.dev) ?? "", /no Vulkan driver is installed/);
    const soft = fakeMachine(["lvp_icd.json"], ["dri/renderD128"]);
    assert.match(noHardwareDriver(soft.env, "linux", soft.dev) ?? "", /only a software Vulkan driver/);
    const noNode = fakeMachine(["lvp_icd.json", "intel_icd.json"], []);
    assert.match(noHardwareDriver(noNode.env, "linux", noNode.dev) ?? "", /no GPU device \(no .*renderD\*/);
  });

  it("returns null (try WebGPU) with a hardware driver and a device node, and always off Linux", () => {
    const nvidia = fakeMachine(["nvidia_icd.json"], ["nvidia0"]);
    assert.equal(noHardwareDriver(nvidia.env, "linux", nvidia.dev), null);
    const drm = fakeMachine(["radeon_icd.json"], ["dri/renderD128"]);
    assert.equal(noHardwareDriver(drm.env, "linux", drm.dev), null);
    assert.equal(noHardwareDriver({}, "darwin"), null);
    assert.deepEqual(gpuDeviceNodes(drm.dev), [join(drm.dev, "dri", "renderD128")]);
  });
});

describe("describeAdapter(info)", () => {
  it("names the adapter, whether it is software, its vendor and architecture", () => {
    const info = { vendor: "mesa", architecture: "software", device: "llvmpipe", description: "llvmpipe: Mesa 25", software: true };
    const text = describeAdapter({ ...info, subgroups: true, maxBinding: 1 });
    assert.equal(text, "llvmpipe: Mesa 25 (software; vendor mesa, architecture software)");
    assert.match(
      describeAdapter({ ...info, description: "", software: false, subgroups: false, maxBinding: 1 }),
      /^mesa llvmpipe \(hardware;/,
    );
  });
});

describe("subgroupSetting(env)", () => {
  it("is auto when CVAE_WEBGPU_SUBGROUPS is unset or blank, and off when it says off", () => {
    assert.equal(subgroupSetting({}), "auto");
    assert.equal(subgroupSetting({ CVAE_WEBGPU_SUBGROUPS: " " }), "auto");
    assert.equal(subgroupSetting({ CVAE_WEBGPU_SUBGROUPS: "off" }), "off");
    assert.equal(subgroupSetting({ CVAE_WEBGPU_SUBGROUPS: "OFF" }), "off", "in any case");
  });

  it("refuses any other value, naming the variable and the values it takes", () => {
    assert.throws(
      () => subgroupSetting({ CVAE_WEBGPU_SUBGROUPS: "no" }),
      /CVAE_WEBGPU_SUBGROUPS="no" is not one of auto, off \(it matters on the webgpu backend only; unset it for auto\)/,
    );
  });
});
