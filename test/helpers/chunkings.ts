/** The chunkings every conformance test runs over: regular blocks, ragged edges, one block, tiny blocks. */
import type { ChunkSpec } from "tessera";

export const CHUNKINGS_2D: Record<string, ChunkSpec> = { regular: [3, 4], ragged: [4, 3], single: -1, tiny: [2, 1] };
export const SHAPE_2D = [9, 8] as const;

export const CHUNKINGS_3D: Record<string, ChunkSpec> = { regular: [2, 5, 2], ragged: [4, 2, 3], single: -1, tiny: [1, 1, 1] };
export const SHAPE_3D = [6, 5, 4] as const;
