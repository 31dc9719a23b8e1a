/**
 * @tessera/io-image: images through sharp as chunk sources (a stack of files; one huge image read region by
 * region) and a writer for dense images. Users call `imread`, `openImage` and `imwrite` from `tessera`.
 *
 * @example
 * ```ts
 * import { imageStack, resolveFiles } from "@tessera/io-image";
 * const source = await imageStack(await resolveFiles("cells/*.png"));
 * source.shape; // [n, h, w, c]
 * ```
 */
export { resolveFiles } from "./files.js";
export { imageStack, hugeImage, writeImage, checkImageArray, imageFormat, type StackOptions, type WriteImageOptions, type ImageFormat, type ImageInfo } from "./images.js";
