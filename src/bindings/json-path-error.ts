/**
 * An evaluation failure with client-go's wording (`ref is not found`, `array index out of bounds:
 * index 3, length 2`). Thrown inside the evaluator; evaluateExpression turns it into a result.
 */
export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonPathError";
  }
}
