import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/**
 * The module-level variables of the `.ts` files under `dirs` that could hold state across calls:
 * every top-level `let`/`var`, and every top-level `const` bound to a new Map, Set, WeakMap, WeakSet
 * or Array, or to an array or object literal, unless it is declared read-only (`as const`,
 * `readonly T[]`, `ReadonlySet`, `ReadonlyMap`, `Readonly<…>`, or an alias of one in
 * READONLY_TYPES). Each as `file:line name`.
 */
export function findModuleLevelState(root: string, dirs: readonly string[]): string[] {
  const found: string[] = [];
  for (const dir of dirs) {
    for (const file of tsFiles(join(root, dir))) {
      const source = ts.createSourceFile(
        file,
        readFileSync(file, "utf8"),
        ts.ScriptTarget.Latest,
        true,
      );
      for (const statement of source.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        const list = statement.declarationList;
        const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
        for (const decl of list.declarations) {
          if (isConst && !holdsMutableContainer(decl)) continue;
          const { line } = source.getLineAndCharacterOfPosition(decl.getStart(source));
          found.push(`${relative(root, file)}:${line + 1} ${decl.name.getText(source)}`);
        }
      }
    }
  }
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const CONTAINERS = new Set(["Map", "Set", "WeakMap", "WeakSet", "Array"]);
/** Read-only types by name: the built-ins, and the config decoders' aliases of read-only data. */
const READONLY_TYPES = new Set([
  "ReadonlySet",
  "ReadonlyMap",
  "ReadonlyArray",
  "Readonly",
  "FieldTable",
  "JsonSchema",
]);

function holdsMutableContainer(decl: ts.VariableDeclaration): boolean {
  if (decl.type !== undefined && isReadonlyType(decl.type)) return false;
  let init = decl.initializer;
  while (init !== undefined) {
    if (ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression(init)) {
      init = init.expression;
    } else if (ts.isAsExpression(init)) {
      if (init.type.getText() === "const" || isReadonlyType(init.type)) return false;
      init = init.expression;
    } else {
      break;
    }
  }
  if (init === undefined) return false;
  if (ts.isArrayLiteralExpression(init) || ts.isObjectLiteralExpression(init)) return true;
  return ts.isNewExpression(init) && CONTAINERS.has(init.expression.getText());
}

function isReadonlyType(type: ts.TypeNode): boolean {
  if (ts.isTypeOperatorNode(type)) return type.operator === ts.SyntaxKind.ReadonlyKeyword;
  return ts.isTypeReferenceNode(type) && READONLY_TYPES.has(type.typeName.getText());
}
