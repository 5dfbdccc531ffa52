import {
  compileExpression,
  evaluateExpression,
  type BindingEvent,
  type ExpressionResult,
} from "../../../src/bindings/index.js";

/** A binding event with empty defaults for whatever a case does not set. */
export function makeEvent(partial: Partial<BindingEvent> = {}): BindingEvent {
  return {
    body: partial.body ?? null,
    header: partial.header ?? {},
    extensions: partial.extensions ?? {},
    context: partial.context ?? { eventID: "00000000-0000-4000-8000-000000000000" },
  };
}

/** Compiles the text inside `$(...)` and evaluates it. */
export function evaluate(source: string, event: BindingEvent): ExpressionResult {
  return evaluateExpression(compileExpression(source), event);
}
