// `npm run schema`: writes schema/hookline-config.schema.json from the decoder's field tables
// (src/config/config-json-schema.ts, built into dist/ first). test/unit/config/config-json-schema.test.ts
// fails when the committed file is not what this writes.
import { writeFileSync } from "node:fs";
import { CONFIG_SCHEMA_FILE, configJsonSchema } from "../dist/src/config/config-json-schema.js";

writeFileSync(CONFIG_SCHEMA_FILE, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${CONFIG_SCHEMA_FILE}`);
