import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createSqliteJournal } from "../../../src/store/sqlite/sqlite-journal.js";
import { describeJournalContract } from "./journal-contract.js";

const dir = mkdtempSync(join(tmpdir(), "hookline-sqlite-journal-"));
let n = 0;

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeJournalContract("sqlite", () =>
  Promise.resolve(createSqliteJournal({ path: join(dir, `journal-${++n}.db`) })),
);
