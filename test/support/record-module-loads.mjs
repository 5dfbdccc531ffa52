// `node --import` this file (with HOOKLINE_RECORD_MODULES=FILE) to append to FILE the URL of every
// module the process loads: ES modules through a resolve hook (it runs on the loader's thread),
// CommonJS ones through Module._load (a require from inside a CommonJS package). Used by
// test/process/lazy-imports.test.ts to check what a command loads.
import { appendFileSync } from "node:fs";
import Module, { register } from "node:module";
import { pathToFileURL, URL } from "node:url";

const out = process.env["HOOKLINE_RECORD_MODULES"];
if (out !== undefined && out !== "") {
  register(new URL("./record-module-loads-hooks.mjs", import.meta.url), { data: { out } });
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    try {
      const file = Module._resolveFilename(request, parent, isMain);
      if (file.startsWith("/")) appendFileSync(out, `${pathToFileURL(file).href}\n`);
    } catch {
      // Not resolvable: the real load below throws the error the caller expects.
    }
    return load.apply(this, [request, parent, isMain]);
  };
}
