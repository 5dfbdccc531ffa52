import { createBuiltinRegistry } from "../../src/interceptors/builtins.js";
import { compileConfig } from "../../src/config/compile-config.js";
import type { CompiledConfig } from "../../src/config/compiled.js";
import { createDecodedConfig } from "../../src/config/decoded-config.js";
import { decodeConfigText, markDuplicates } from "../../src/config/load-config.js";

/** Decodes and compiles YAML text as one config file, with the built-in interceptors. */
export function compileConfigText(text: string): CompiledConfig {
  const registry = createBuiltinRegistry();
  const decoded = createDecodedConfig(registry.names());
  decodeConfigText(text, "config.yaml", registry, decoded);
  markDuplicates(decoded);
  return compileConfig(decoded);
}
