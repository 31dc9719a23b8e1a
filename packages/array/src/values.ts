/** Converting what user functions return into tiles (the check itself lives in core, shared with workers). */
export { tileFromUser as toTile, type BlockValue } from "@tessera/core";
