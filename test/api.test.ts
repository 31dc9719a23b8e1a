import { describe, expect, it } from "vitest";

/** A snapshot of each package's public API: a change to it must be deliberate. */
const PACKAGES = ["tessera", "@tessera/core", "@tessera/graph", "@tessera/kernels", "@tessera/backend-cpu", "@tessera/scheduler", "@tessera/store", "@tessera/io-image", "@tessera/array"];

describe("public API", () => {
  for (const name of PACKAGES) {
    it(name, async () => {
      const mod = (await import(name)) as Record<string, unknown>;
      const api = Object.keys(mod)
        .sort()
        .map((k) => `${k}: ${typeof mod[k]}`);
      expect(api).toMatchSnapshot();
    });
  }
});
