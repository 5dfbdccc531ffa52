import { describe, expect, it } from "vitest";
import { createBodyBudget } from "../../../src/intake/body-budget.js";

describe("createBodyBudget", () => {
  it("admits declared bodies while they fit, refuses the one that would pass the budget", () => {
    const budget = createBodyBudget({ maxBytes: 100, perSource: 0 });
    const a = budget.admit("a", 60);
    expect(a.kind).toBe("admitted");
    expect(budget.admit("b", 41)).toEqual({ kind: "refused", reason: "budget" });
    const b = budget.admit("b", 40);
    expect(b.kind).toBe("admitted");
    expect(budget.reservedBytes).toBe(100);
  });

  it("gives every byte back on release, once however often it is called", () => {
    const budget = createBodyBudget({ maxBytes: 100, perSource: 0 });
    const a = budget.admit("a", 70);
    if (a.kind !== "admitted") throw new Error("not admitted");
    a.ticket.release();
    a.ticket.release();
    expect(budget.reservedBytes).toBe(0);
    expect(budget.admit("a", 100).kind).toBe("admitted");
    expect(budget.reservedBytes).toBe(100);
  });

  it("reserves a chunked body as it arrives, and refuses the bytes that do not fit", () => {
    const budget = createBodyBudget({ maxBytes: 100, perSource: 0 });
    const other = budget.admit("b", 50);
    const a = budget.admit("a", 0);
    if (a.kind !== "admitted" || other.kind !== "admitted") throw new Error("not admitted");
    expect(a.ticket.cover(30)).toBe(true);
    expect(a.ticket.cover(50)).toBe(true);
    expect(a.ticket.cover(51)).toBe(false);
    expect(budget.reservedBytes).toBe(100);
    other.ticket.release();
    expect(a.ticket.cover(90)).toBe(true);
    a.ticket.release();
    expect(budget.reservedBytes).toBe(0);
  });

  it("covers what was declared without reserving it twice", () => {
    const budget = createBodyBudget({ maxBytes: 100, perSource: 0 });
    const a = budget.admit("a", 80);
    if (a.kind !== "admitted") throw new Error("not admitted");
    expect(a.ticket.cover(40)).toBe(true);
    expect(a.ticket.cover(80)).toBe(true);
    expect(budget.reservedBytes).toBe(80);
  });

  it("caps the bodies in flight per source address, and frees the slot on release", () => {
    const budget = createBodyBudget({ maxBytes: 1000, perSource: 2 });
    const first = budget.admit("10.0.0.1", 1);
    expect(budget.admit("10.0.0.1", 1).kind).toBe("admitted");
    expect(budget.admit("10.0.0.1", 1)).toEqual({ kind: "refused", reason: "source" });
    expect(budget.admit("10.0.0.2", 1).kind).toBe("admitted");
    if (first.kind !== "admitted") throw new Error("not admitted");
    first.ticket.release();
    expect(budget.admit("10.0.0.1", 1).kind).toBe("admitted");
  });

  it("a released ticket covers nothing more", () => {
    const budget = createBodyBudget({ maxBytes: 100, perSource: 0 });
    const a = budget.admit("a", 0);
    if (a.kind !== "admitted") throw new Error("not admitted");
    a.ticket.release();
    expect(a.ticket.cover(10)).toBe(false);
    expect(budget.reservedBytes).toBe(0);
  });

  it("lets one body larger than the whole budget in when nothing else is held, and only then", () => {
    const budget = createBodyBudget({ maxBytes: 100, perSource: 0 });
    const big = budget.admit("a", 150);
    if (big.kind !== "admitted") throw new Error("not admitted");
    expect(budget.admit("b", 1)).toEqual({ kind: "refused", reason: "budget" });
    big.ticket.release();
    const chunked = budget.admit("a", 0);
    if (chunked.kind !== "admitted") throw new Error("not admitted");
    expect(chunked.ticket.cover(150)).toBe(true);
    expect(budget.admit("b", 1)).toEqual({ kind: "refused", reason: "budget" });
  });

  it("frees the source's slot once the body is received, its bytes only on release", () => {
    const budget = createBodyBudget({ maxBytes: 100, perSource: 1 });
    const a = budget.admit("a", 30);
    if (a.kind !== "admitted") throw new Error("not admitted");
    expect(budget.admit("a", 1)).toEqual({ kind: "refused", reason: "source" });
    a.ticket.received();
    a.ticket.received();
    const b = budget.admit("a", 1);
    expect(b.kind).toBe("admitted");
    expect(budget.admit("a", 1)).toEqual({ kind: "refused", reason: "source" });
    expect(budget.reservedBytes).toBe(31);
    a.ticket.release();
    expect(budget.reservedBytes).toBe(1);
  });
});
