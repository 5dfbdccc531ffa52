import type { ConfigIssue, Loc } from "./types.js";

/** `file:line:col field: message`, the form every config error is printed in. */
export function formatIssue(issue: ConfigIssue): string {
  const { file, line, column, field } = issue.loc;
  const where = `${file}:${line}:${column}`;
  return field === "" ? `${where} ${issue.message}` : `${where} ${field}: ${issue.message}`;
}

export function documentError(loc: Loc, message: string): ConfigIssue {
  return { severity: "error", class: "document", code: "HL_CONFIG_INVALID", message, loc };
}

export function referenceError(loc: Loc, message: string): ConfigIssue {
  return { severity: "error", class: "reference", code: "HL_CONFIG_REFERENCE", message, loc };
}

export function unreadable(loc: Loc, message: string): ConfigIssue {
  return { severity: "error", class: "document", code: "HL_CONFIG_READ_FAILED", message, loc };
}

export function tooLarge(loc: Loc, message: string): ConfigIssue {
  return { severity: "error", class: "document", code: "HL_CONFIG_TOO_LARGE", message, loc };
}

export function warning(loc: Loc, message: string): ConfigIssue {
  return { severity: "warning", class: "info", message, loc };
}

export function note(loc: Loc, message: string): ConfigIssue {
  return { severity: "note", class: "info", message, loc };
}
