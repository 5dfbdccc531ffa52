import { describe, expect, it } from "vitest";
import { headerTokenEquals } from "../../../src/interceptors/public.js";

describe("headerTokenEquals", () => {
  const secret = Buffer.from("s3cret-token");
  it.each([
    { name: "equal", header: { "X-Gitlab-Token": ["s3cret-token"] }, equal: true },
    { name: "another token", header: { "X-Gitlab-Token": ["s3cret-tokeN"] }, equal: false },
    { name: "a prefix", header: { "X-Gitlab-Token": ["s3cret"] }, equal: false },
    {
      name: "only the first value counts",
      header: { "X-Gitlab-Token": ["x", "s3cret-token"] },
      equal: false,
    },
    { name: "absent", header: {}, equal: false },
  ])("$name", ({ header, equal }) => {
    expect(headerTokenEquals(header, "x-gitlab-token", secret)).toBe(equal);
    // Asked again for the same event (another trigger): the same answer.
    expect(headerTokenEquals(header, "X-Gitlab-Token", secret)).toBe(equal);
  });

  it("keeps answers apart per secret for one header", () => {
    const header = { "X-Gitlab-Token": ["one"] };
    expect(headerTokenEquals(header, "X-Gitlab-Token", Buffer.from("two"))).toBe(false);
    expect(headerTokenEquals(header, "X-Gitlab-Token", Buffer.from("one"))).toBe(true);
  });
});
