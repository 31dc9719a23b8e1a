import { describe, expect, it } from "vitest";
import { arange } from "tessera";

describe("smoke", () => {
  it("sums", async () => {
    const r = await arange(0, 10, 1, { chunks: 3 }).sum().compute();
    expect(Number(r.data[0])).toBe(45);
  });
});
