/** See tiled-tiff.mjs. */
export function writeTiledTiff(path: string, width: number, height: number, tileSize: number, colors: readonly (readonly number[])[], pick?: (row: number, column: number) => number): void;
