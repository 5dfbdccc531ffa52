import type { ASTNode } from "@marcbachmann/cel-js";
import type { EventFact } from "../../src/interceptors/public.js";

/**
 * The filter's leading top-level conjuncts that the dispatch index can check without evaluating
 * it: `body.a.b == 'v'` (either side), `body.a.b in ['v', 'w']`, `'v' in body.a.b` and
 * `header.match('Name', 'v')`. One that is false makes the whole filter false: cel-js evaluates
 * `&&` left to right, stops at a false operand, and gives false for `error && false` as CEL does.
 * Only the leading run counts: a conjunct after any other could be reached after an expression
 * that ran out of its budget, which is an error, not false.
 * @example filterFacts(celEnvironment.parse("body.action == 'opened' && x").ast) // one body fact
 */
export function filterFacts(ast: ASTNode): EventFact[] {
  const facts: EventFact[] = [];
  for (const conjunct of conjunctsOf(ast)) {
    const fact = factOf(conjunct);
    if (fact === undefined) break;
    facts.push(fact);
  }
  return facts;
}

/** `a && b && c` in evaluation order, however it is parenthesised. */
function conjunctsOf(node: ASTNode): ASTNode[] {
  if (node.op !== "&&") return [node];
  const [left, right] = node.args;
  return [...conjunctsOf(left), ...conjunctsOf(right)];
}

function factOf(node: ASTNode): EventFact | undefined {
  if (node.op === "==") {
    const [a, b] = node.args;
    const path = bodyPath(a) ?? bodyPath(b);
    const literal = stringLiteral(b) ?? stringLiteral(a);
    return path === undefined || literal === undefined
      ? undefined
      : { kind: "body", path, values: [literal] };
  }
  if (node.op === "in") {
    const [a, b] = node.args;
    const literal = stringLiteral(a);
    const listPath = bodyPath(b);
    if (literal !== undefined && listPath !== undefined)
      return { kind: "bodyHas", path: listPath, value: literal };
    const path = bodyPath(a);
    const values = stringList(b);
    return path === undefined || values === undefined ? undefined : { kind: "body", path, values };
  }
  if (node.op === "rcall") {
    const [name, receiver, args] = node.args;
    if (name !== "match" || receiver.op !== "id" || receiver.args !== "header") return undefined;
    if (args.length !== 2) return undefined;
    const header = stringLiteral(args[0]);
    const value = stringLiteral(args[1]);
    return header === undefined || value === undefined
      ? undefined
      : { kind: "header", header, values: [value] };
  }
  // Anything else (||, !, other calls, comparisons other than ==) decides nothing.
  return undefined;
}

/** `body.a.b` or `body['a-b']` as its keys; undefined for anything else. */
function bodyPath(node: ASTNode | undefined): string[] | undefined {
  if (node === undefined) return undefined;
  if (node.op === "id") return node.args === "body" ? [] : undefined;
  if (node.op === ".") {
    const [inner, key] = node.args as [ASTNode, unknown];
    const path = bodyPath(inner);
    return path === undefined || typeof key !== "string" ? undefined : [...path, key];
  }
  if (node.op === "[]") {
    const [inner, index] = node.args;
    const path = bodyPath(inner);
    const key = stringLiteral(index);
    return path === undefined || key === undefined ? undefined : [...path, key];
  }
  return undefined;
}

function stringLiteral(node: ASTNode | undefined): string | undefined {
  return node?.op === "value" && typeof node.args === "string" ? node.args : undefined;
}

function stringList(node: ASTNode): string[] | undefined {
  if (node.op !== "list") return undefined;
  const items = node.args.map(stringLiteral);
  return items.every((i): i is string => i !== undefined) ? items : undefined;
}
