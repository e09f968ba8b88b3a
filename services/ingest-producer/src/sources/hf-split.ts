import { AppError } from "@hybrid/service-kit";

interface Bound {
  value: number;
  percent: boolean;
}

/** A split name with the slice of the `datasets` library's syntax: `train`, `train[10:20]`, `train[:5%]`, `train[-10%:]`. */
export interface SplitSlice {
  split: string;
  start?: Bound | undefined;
  end?: Bound | undefined;
}

export function parseSplit(spec: string): SplitSlice {
  const match = /^([\w.-]+)(?:\[(-?\d*%?):(-?\d*%?)\])?$/.exec(spec);
  if (!match?.[1]) {
    throw new AppError("BAD_REQUEST", `invalid split "${spec}": expected name or name[start:end]`, {
      details: { path: "source.split" },
    });
  }
  const slice = { split: match[1], start: parseBound(match[2], spec), end: parseBound(match[3], spec) };
  const { start, end } = slice;
  // Bounds of the same kind and sign can be compared now; a reversed slice would read a negative number of rows.
  if (start && end && start.percent === end.percent && start.value >= 0 === end.value >= 0) {
    if (start.value > end.value) {
      throw new AppError(
        "BAD_REQUEST",
        `invalid split "${spec}": the slice starts after it ends (start must not be greater than end)`,
        { details: { path: "source.split" } },
      );
    }
  }
  return slice;
}

function parseBound(text: string | undefined, spec: string): Bound | undefined {
  if (!text) return undefined;
  const percent = text.endsWith("%");
  const digits = percent ? text.slice(0, -1) : text;
  if (!/^-?\d+$/.test(digits)) {
    throw new AppError("BAD_REQUEST", `invalid slice bound "${text}" in split "${spec}"`, {
      details: { path: "source.split" },
    });
  }
  const value = Number(digits);
  if (percent && Math.abs(value) > 100) {
    throw new AppError("BAD_REQUEST", `percent bound "${text}" is outside -100%..100%`, {
      details: { path: "source.split" },
    });
  }
  return { value, percent };
}

/** Whether resolving the slice needs the split's row count (percentages or negative bounds). */
export function needsTotal(slice: SplitSlice): boolean {
  return [slice.start, slice.end].some((b) => b !== undefined && (b.percent || b.value < 0));
}

/** Absolute `[start, end)` row range of the slice in a split of `total` rows (percentages rounded to the nearest row). */
export function resolveSlice(slice: SplitSlice, total: number): { start: number; end: number } {
  const at = (bound: Bound | undefined, fallback: number) => {
    if (!bound) return fallback;
    const raw = bound.percent ? Math.round((total * bound.value) / 100) : bound.value;
    const absolute = raw < 0 ? total + raw : raw;
    return Math.min(Math.max(absolute, 0), total);
  };
  const start = at(slice.start, 0);
  return { start, end: Math.max(start, at(slice.end, total)) };
}
