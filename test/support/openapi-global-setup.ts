import { compiledOpenApiFile } from "./openapi-compile.js";

/**
 * Vitest globalSetup: compiles openapi.yaml's answer schemas once, before the workers start, so
 * they share one cached module instead of each compiling it (see openapi-compile.ts).
 */
export default function setup(): void {
  compiledOpenApiFile();
}
