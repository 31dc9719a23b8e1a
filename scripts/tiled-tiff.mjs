// A tiled RGB TIFF (baseline TIFF 6.0, uncompressed, 8 bits per sample) whose tiles all point at one of a
// few stored tiles: an image of any size (65536 x 65536 and beyond) in a file of a few MB. sharp cannot
// create such images (its create() crashes past 2^31 pixels), but reads them; tests and benchmarks use it.
import { closeSync, openSync, writeSync } from "node:fs";

/**
 * Writes a `width` x `height` RGB image of `tileSize` tiles to `path`; tile (row r, column c) is filled with
 * `colors[pick(r, c)]` (default: all tiles the first colour).
 */
export function writeTiledTiff(path, width, height, tileSize, colors, pick = () => 0) {
  const across = Math.ceil(width / tileSize);
  const down = Math.ceil(height / tileSize);
  const n = across * down;
  const tileBytes = tileSize * tileSize * 3;
  const tags = [[256, 4, 1, width], [257, 4, 1, height], [258, 3, 3, -1], [259, 3, 1, 1], [262, 3, 1, 2], [277, 3, 1, 3], [284, 3, 1, 1], [322, 3, 1, tileSize], [323, 3, 1, tileSize], [324, 4, n, -1], [325, 4, n, -1]];
  const ifdAt = 8;
  const bpsAt = ifdAt + 2 + tags.length * 12 + 4;
  const offsetsAt = bpsAt + 6;
  const countsAt = offsetsAt + 4 * n;
  const dataAt = countsAt + 4 * n;
  if (dataAt + colors.length * tileBytes >= 2 ** 32) throw new Error("writeTiledTiff: too many tiles for a classic TIFF");
  const head = Buffer.alloc(dataAt);
  head.write("II", 0);
  head.writeUInt16LE(42, 2);
  head.writeUInt32LE(ifdAt, 4);
  head.writeUInt16LE(tags.length, ifdAt);
  tags.forEach(([tag, type, count, value], k) => {
    const at = ifdAt + 2 + k * 12;
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(count, at + 4);
    const v = tag === 258 ? bpsAt : tag === 324 ? offsetsAt : tag === 325 ? countsAt : value;
    if (type === 3 && count === 1) head.writeUInt16LE(v, at + 8);
    else head.writeUInt32LE(v, at + 8);
  });
  head.writeUInt32LE(0, bpsAt - 4);
  for (let k = 0; k < 3; k++) head.writeUInt16LE(8, bpsAt + 2 * k);
  for (let r = 0; r < down; r++) {
    for (let c = 0; c < across; c++) {
      const k = r * across + c;
      head.writeUInt32LE(dataAt + pick(r, c) * tileBytes, offsetsAt + 4 * k);
      head.writeUInt32LE(tileBytes, countsAt + 4 * k);
    }
  }
  const fd = openSync(path, "w");
  try {
    writeSync(fd, head);
    for (const rgb of colors) {
      const tile = Buffer.alloc(tileBytes);
      for (let i = 0; i < tileSize * tileSize; i++) tile.set(rgb, i * 3);
      writeSync(fd, tile);
    }
  } finally {
    closeSync(fd);
  }
}
