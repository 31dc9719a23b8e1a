/** Resolving image lists: a glob (`*` and `?` in the file name) or explicit paths, in natural sort order. */
import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { TesseraError, show } from "@tessera/core";

const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** Expands `dir/*.jpg`-style patterns (wildcards in the last path segment); sorts naturally (img2 < img10). */
export async function resolveFiles(globOrPaths: string | readonly string[]): Promise<string[]> {
  if (Array.isArray(globOrPaths)) return [...globOrPaths];
  const pattern = globOrPaths as string;
  if (!/[*?]/.test(pattern)) return [pattern];
  const dir = dirname(pattern);
  if (/[*?]/.test(dir)) throw new TesseraError("ValueError", `imread: ${show(pattern)} has wildcards in a directory; only the file name may have them`);
  const re = new RegExp(`^${basename(pattern).replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new TesseraError("ValueError", `imread: cannot list ${show(dir)} (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  const files = names.filter((n) => re.test(n)).sort(natural.compare).map((n) => join(dir, n));
  if (files.length === 0) throw new TesseraError("ValueError", `imread: no file matches ${show(pattern)}`);
  return files;
}
