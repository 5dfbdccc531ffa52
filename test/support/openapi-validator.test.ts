import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkAnswer } from "./openapi-validator.js";

/** The check behind every test app's answers, from the compiled cache: it must be able to fail. */
describe("the openapi.yaml answer check", () => {
  const accepted = {
    eventListener: "github-listener",
    namespace: "default",
    eventListenerUID: "uid",
    eventID: randomUUID(),
  };

  it.each([
    { name: "a documented JSON answer", status: 202, type: "application/json", body: accepted },
    { name: "a ref'd schema with a null", status: 202, body: { ...accepted, deliveryId: null } },
    { name: "a non-JSON answer", path: "/live", method: "GET", status: 200, type: "text/plain" },
  ])("passes $name", ({ path, method, status, type, body }) => {
    expect(
      checkAnswer(path ?? "/{path}", method ?? "POST", status, type ?? "application/json", body),
    ).toEqual([]);
  });

  it.each([
    { name: "an undocumented path", path: "/nope", problem: /is not documented/ },
    { name: "an undocumented method", path: "/live", method: "DELETE", problem: /not documented/ },
    { name: "an undocumented status", status: 418, problem: /does not document 418/ },
    { name: "another content type", type: "text/html", problem: /not documented as text\/html/ },
    { name: "a missing field", body: { ...accepted, eventID: undefined }, problem: /eventID/ },
    { name: "a bad format", body: { ...accepted, eventID: "x" }, problem: /format "uuid"/ },
    { name: "a wrong type", body: { ...accepted, duplicate: "yes" }, problem: /boolean/ },
  ])("finds $name", ({ path, method, status, type, body, problem }) => {
    const problems = checkAnswer(
      path ?? "/{path}",
      method ?? "POST",
      status ?? 202,
      type ?? "application/json; charset=utf-8",
      body ?? accepted,
    );
    expect(problems.join("\n")).toMatch(problem);
  });
});
