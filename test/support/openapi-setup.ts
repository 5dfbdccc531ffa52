import { afterAll, expect } from "vitest";
import { openApiViolations } from "./openapi-validator.js";

// Every answer a test app gave during this file must be one openapi.yaml describes.
afterAll(() => {
  expect(openApiViolations, "answers that openapi.yaml does not describe").toEqual([]);
});
