import { defineConfig } from "vitest/config";

// Tests read the packages' TypeScript sources through the "@tessera/source" export condition (worker
// threads run the built dist/). The whole suite runs once per scheduler.
const conditions = ["@tessera/source", "import", "node", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "sync", setupFiles: ["test/setup/sync.ts"] } },
      { extends: true, test: { name: "threads", setupFiles: ["test/setup/threads.ts"] } },
    ],
  },
});
