/** Renders rows as a markdown table with ratios to two references. @module */

import { pairedRatio } from "./paired.ts";
import type { Row } from "./rows.ts";

/** A system as the table names it. */
export interface Column {
  readonly id: string;
  readonly label: string;
}

/**
 * A column of ratios: each system's figure ÷ its reference's, the reference
 * being the one on the system's own runtime (raw on Deno, raw ws on Node…).
 */
export interface ReferenceColumn {
  readonly label: string;
  /** The id of the system that `id` is divided by, or null for none. */
  readonly of: (id: string) => string | null;
}

/** A figure with a sensible number of digits and thousands separators. */
export function formatValue(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** `value / reference` as "1.23×", or "—" when either is missing. */
export function formatRatio(value: number | null, reference: number | null): string {
  if (value === null || reference === null || !Number.isFinite(value)) return "—";
  if (!Number.isFinite(reference) || reference === 0) return "—";
  return formatTimes(value / reference);
}

/** A ratio as "1.23×". */
export function formatTimes(ratio: number): string {
  const digits = ratio >= 100 ? 0 : ratio >= 10 ? 1 : 2;
  return `${ratio.toFixed(digits)}×`;
}

/**
 * A system's figure in a row ÷ its reference's: the median ratio of their
 * paired runs where the row has its rounds, else the ratio of the values.
 */
function rowRatio(row: Row, id: string, reference: string | null): string {
  if (reference === null) return "—";
  const [a, b] = [row.rounds?.[id], row.rounds?.[reference]];
  if (a !== undefined && b !== undefined) {
    const paired = pairedRatio(a, b);
    return paired === null ? "—" : formatTimes(paired.median);
  }
  return formatRatio(row.values[id] ?? null, row.values[reference] ?? null);
}

/**
 * One line per figure and system that has an entry in it: value (or its
 * note), then its ratio to each reference on its runtime in the same run.
 */
export function renderTable(
  rows: readonly Row[],
  columns: readonly Column[],
  references: readonly ReferenceColumn[],
): string {
  const head = [
    "figure",
    "system",
    "value",
    ...references.map((r) => `÷ ${r.label} (same runtime)`),
  ];
  const align = ["---", "---", "---:", ...references.map(() => "---:")];
  const out = [`| ${head.join(" | ")} |`, `| ${align.join(" | ")} |`];
  for (const row of rows) {
    columns.filter((column) => column.id in row.values).forEach((column, index) => {
      const value = row.values[column.id] ?? null;
      const figure = index === 0 ? `${row.label} (${row.unit}, ${row.better} is better)` : "";
      const ratios = references.map((ref) => rowRatio(row, column.id, ref.of(column.id)));
      const shown = value === null ? row.notes?.[column.id] ?? "—" : formatValue(value);
      out.push(`| ${[figure, column.label, shown, ...ratios].join(" | ")} |`);
    });
  }
  return out.join("\n");
}
