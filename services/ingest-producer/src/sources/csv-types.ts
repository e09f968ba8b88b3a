import type { CsvColumnType } from "@hybrid/queue";

/**
 * Applies the request's column types to one CSV record (cells are strings). An empty typed cell becomes null; a
 * cell that does not read as its type is a problem naming the column, so the row is skipped with that reason.
 */
export function convertColumns(
  record: Record<string, string>,
  types: Record<string, CsvColumnType> | undefined,
): { value: Record<string, unknown> } | { problem: string } {
  if (!types) return { value: record };
  const value: Record<string, unknown> = { ...record };
  for (const [column, type] of Object.entries(types)) {
    const cell = record[column];
    if (cell === undefined || type === "string") continue;
    if (cell.trim() === "") {
      value[column] = null;
      continue;
    }
    const converted = convertCell(cell.trim(), type);
    if (converted === undefined) {
      return { problem: `column "${column}": ${JSON.stringify(cell.slice(0, 80))} is not ${article(type)}` };
    }
    value[column] = converted;
  }
  return { value };
}

function convertCell(cell: string, type: Exclude<CsvColumnType, "string">): unknown {
  switch (type) {
    case "number": {
      const n = Number(cell);
      return Number.isFinite(n) ? n : undefined;
    }
    case "integer": {
      const n = Number(cell);
      return /^[-+]?\d+$/.test(cell) && Number.isSafeInteger(n) ? n : undefined;
    }
    case "boolean": {
      const lower = cell.toLowerCase();
      if (["true", "1", "yes"].includes(lower)) return true;
      if (["false", "0", "no"].includes(lower)) return false;
      return undefined;
    }
    case "json":
      try {
        return JSON.parse(cell) as unknown;
      } catch {
        return undefined;
      }
  }
}

const article = (type: CsvColumnType) =>
  type === "integer" ? "an integer" : type === "json" ? "JSON" : `a ${type}`;
