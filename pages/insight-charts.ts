// Horizontal bar charts for the insight pages, drawn on the server as SVG: one row per thing
// measured (a step, a person, a churn stage), its label above its bars, each bar with its value
// written after it and a <title>. Coordinates only; templates/pages/partials/insight-chart.hbs
// draws them. Narrow by design (a phone's width), so labels stay readable without scrolling.

/** One value of a row: a bar of the series (a CSS class), and its value as a person reads it. */
export interface ChartValue {
  series: string;
  value: number;
  text: string;
  /** What the bar's <title> says (the label and the series are prefixed). */
  name: string;
}

export interface ChartRow {
  label: string;
  /** Marked (the slowest step): drawn in the warning colour, its label in bold. */
  marked?: boolean;
  values: ChartValue[];
}

export interface ChartBar {
  series: string;
  x: number;
  y: number;
  width: number;
  height: number;
  valueX: number;
  valueY: number;
  text: string;
  title: string;
}

export interface BarChart {
  id: string;
  title: string;
  width: number;
  height: number;
  rows: { label: string; fullLabel: string; labelY: number; marked: boolean; bars: ChartBar[] }[];
  legend: { series: string; text: string }[];
}

export const CHART_WIDTH = 340;
const LABEL_HEIGHT = 17;
const BAR_HEIGHT = 10;
const BAR_GAP = 3;
const ROW_GAP = 10;
/** Room after the longest bar for its value. */
const VALUE_ROOM = 74;
/** About how many characters of a 13-unit label fit the width. */
const LABEL_CHARS = 46;

const shorten = (text: string): string => (text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text);

/** A chart of `rows`, each value scaled to `max` (by default the largest value drawn). */
export function barChart(
  id: string,
  title: string,
  rows: readonly ChartRow[],
  legend: { series: string; text: string }[],
  max?: number,
): BarChart {
  const top = Math.max(max ?? 0, ...rows.flatMap((r) => r.values.map((v) => v.value)), 1e-9);
  const span = CHART_WIDTH - VALUE_ROOM;
  // What a marked row is, as the legend names it (series `marked`).
  const marked = legend.find((l) => l.series === 'marked')?.text;
  let y = 0;
  const drawn = rows.map((row) => {
    const labelY = y + 13;
    const bars = row.values.map((v, i) => {
      const barY = y + LABEL_HEIGHT + i * (BAR_HEIGHT + BAR_GAP);
      const width = v.value > 0 ? Math.max(1.5, (v.value / top) * span) : 0;
      return {
        series: v.series,
        x: 0,
        y: barY,
        width: round(width),
        height: BAR_HEIGHT,
        valueX: round(width + 4),
        valueY: barY + BAR_HEIGHT - 1,
        text: v.text,
        title: `${row.label}${row.marked && marked ? ` (${marked})` : ''} — ${v.name}: ${v.text}`,
      };
    });
    y += LABEL_HEIGHT + row.values.length * (BAR_HEIGHT + BAR_GAP) + ROW_GAP;
    return { label: shorten(row.label), fullLabel: row.label, labelY, marked: row.marked === true, bars };
  });
  return { id, title, width: CHART_WIDTH, height: Math.max(y - ROW_GAP + 2, 20), rows: drawn, legend };
}

const round = (n: number): number => Math.round(n * 10) / 10;
