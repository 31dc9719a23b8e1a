import { defineConfig } from "vitest/config";

// Tests read the packages' TypeScript sources through the "@tessera/source" export condition.
export default defineConfig({
  resolve: { conditions: ["@tessera/source", "import", "node", "default"] },
  ssr: { resolve: { conditions: ["@tessera/source", "import", "node", "default"] } },
  test: {
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
  },
});
