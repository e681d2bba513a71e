/** Renders rows as a markdown table with ratios to two references. @module */

import type { Row } from "./rows.ts";

/** A system as the table names it. */
export interface Column {
  readonly id: string;
  readonly label: string;
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
  const ratio = value / reference;
  const digits = ratio >= 100 ? 0 : ratio >= 10 ? 1 : 2;
  return `${ratio.toFixed(digits)}×`;
}

/**
 * One line per figure and system that has an entry in it: value (or its
 * note), then value ÷ each reference's value in the same run.
 */
export function renderTable(
  rows: readonly Row[],
  columns: readonly Column[],
  references: readonly Column[],
): string {
  const head = ["figure", "system", "value", ...references.map((r) => `÷ ${r.label}`)];
  const align = ["---", "---", "---:", ...references.map(() => "---:")];
  const out = [`| ${head.join(" | ")} |`, `| ${align.join(" | ")} |`];
  for (const row of rows) {
    columns.filter((column) => column.id in row.values).forEach((column, index) => {
      const value = row.values[column.id] ?? null;
      const figure = index === 0 ? `${row.label} (${row.unit}, ${row.better} is better)` : "";
      const ratios = references.map((ref) => formatRatio(value, row.values[ref.id] ?? null));
      const shown = value === null ? row.notes?.[column.id] ?? "—" : formatValue(value);
      out.push(`| ${[figure, column.label, shown, ...ratios].join(" | ")} |`);
    });
  }
  return out.join("\n");
}
