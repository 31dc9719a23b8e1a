/**
 * A file-system store for zarrita whose writes are atomic: each key is written to a temporary file in the
 * same directory and renamed over the final name, so a crash or an abort never leaves a torn chunk (zarrita's
 * own file store writes in place).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

type Key = `/${string}`;

const isMissing = (e: unknown): boolean => typeof e === "object" && e !== null && "code" in e && ((e as { code: string }).code === "ENOENT" || (e as { code: string }).code === "ENOTDIR");

/** The prefix of temporary files (never a valid Zarr key). */
export const TEMP_PREFIX = ".tessera-tmp-";

export class AtomicFileStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  private file(key: Key): string {
    return join(this.root, ...key.slice(1).split("/"));
  }

  async get(key: Key): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.file(key)));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async set(key: Key, value: Uint8Array): Promise<void> {
    const target = this.file(key);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `${TEMP_PREFIX}${randomBytes(6).toString("hex")}`);
    try {
      await writeFile(temp, value);
      await rename(temp, target);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw e;
    }
  }

  async has(key: Key): Promise<boolean> {
    try {
      await stat(this.file(key));
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }

  /** Removes everything under `prefix` (an array being overwritten). */
  async delete(prefix: Key): Promise<void> {
    await rm(this.file(prefix), { recursive: true, force: true });
  }
}
