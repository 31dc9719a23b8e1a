// Checks the packages as a user's project gets them: packs every workspace package (`pnpm pack`, after
// `pnpm build`), installs the tarballs into a fresh project in a temporary directory, runs a script there
// (threads, Zarr and images: worker entries and codec modules must resolve from the installed dist/), and
// type-checks a TypeScript file against the installed types (strict, NodeNext, skipLibCheck off).
// Run: pnpm build && node scripts/consumer-check.mjs   (CI runs it after the tests)
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "tessera-consumer-check-"));
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
try {
  const packs = join(work, "packs");
  mkdirSync(packs);
  const tarballs = {};
  for (const dir of readdirSync(join(root, "packages"))) {
    const pkgDir = join(root, "packages", dir);
    const { name, version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    execFileSync("pnpm", ["pack", "--pack-destination", packs], { cwd: pkgDir, stdio: "ignore" });
    tarballs[name] = `file:${join(packs, `${name.replace("@", "").replace("/", "-")}-${version}.tgz`)}`;
  }
  const project = join(work, "project");
  mkdirSync(project);
  const { tessera, ...internal } = tarballs;
  const typesNode = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies["@types/node"];
  writeFileSync(join(project, "package.json"), JSON.stringify({
    name: "tessera-consumer",
    private: true,
    type: "module",
    dependencies: { tessera },
    devDependencies: { "@types/node": typesNode },
    pnpm: { overrides: internal, onlyBuiltDependencies: ["sharp"] },
  }, null, 2));
  run("pnpm", ["install", "--prefer-offline", "--reporter", "silent"], project);
  for (const f of ["consumer.mjs", "consumer.ts"]) copyFileSync(join(root, "scripts", "consumer", f), join(project, f));
  run(process.execPath, ["consumer.mjs", join(root, "examples", "data", "cells")], project);
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
    compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] },
    files: ["consumer.ts"],
  }));
  run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], project);
  console.log("consumer: types check");
} finally {
  rmSync(work, { recursive: true, force: true });
}
