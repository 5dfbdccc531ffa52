import { createMemoryJournal } from "../../../src/store/memory-journal.js";
import { describeJournalContract } from "./journal-contract.js";

describeJournalContract("memory", () => Promise.resolve(createMemoryJournal()));
