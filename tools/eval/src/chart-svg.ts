/** One bar series: a mode and its value per group (metric). */
export interface BarSeries {
  label: string;
  values: number[];
}

export interface BarChartOptions {
  title: string;
  /** Group labels along the x axis (one per metric). */
  groups: string[];
  series: BarSeries[];
  /** Top of the y axis; values are drawn from 0. */
  max?: number;
  width?: number;
  height?: number;
}

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#76b7b2", "#e15759", "#b07aa1", "#edc948", "#9c755f"];

/**
 * A grouped bar chart as a standalone SVG document: one group per entry of `groups`, one bar per series in each
 * group, the value written above each bar, a y axis with gridlines every 0.1 of `max`, and a legend.
 */
export function renderBarChartSvg(options: BarChartOptions): string {
  const { title, groups, series } = options;
  const max = options.max ?? 1;
  const width = options.width ?? 760;
  const height = options.height ?? 420;
  const margin = { top: 48, right: 16, bottom: 40, left: 48 };
  const legendRowHeight = 18;
  const legendHeight = legendRowHeight * Math.ceil(series.length / 3) + 8;
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom - legendHeight;
  const y = (v: number) => margin.top + plotHeight * (1 - Math.min(Math.max(v, 0), max) / max);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  );

  for (let tick = 0; tick <= 10; tick++) {
    const value = (max * tick) / 10;
    const ty = round(y(value));
    parts.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${ty}" y2="${ty}" stroke="${tick === 0 ? "#333" : "#e5e5e5"}"/>`,
      `<text x="${margin.left - 6}" y="${ty + 4}" text-anchor="end" fill="#555">${formatTick(value)}</text>`,
    );
  }

  const groupWidth = plotWidth / Math.max(groups.length, 1);
  const barWidth = Math.min(48, (groupWidth * 0.8) / Math.max(series.length, 1));
  groups.forEach((group, g) => {
    const groupLeft = margin.left + g * groupWidth + (groupWidth - barWidth * series.length) / 2;
    series.forEach((s, i) => {
      const value = s.values[g] ?? 0;
      const x = round(groupLeft + i * barWidth);
      const top = round(y(value));
      const barHeight = round(margin.top + plotHeight - top);
      parts.push(
        `<rect x="${x}" y="${top}" width="${round(barWidth - 2)}" height="${barHeight}" fill="${colour(i)}" class="bar">` +
          `<title>${escapeXml(`${s.label} ${group}: ${value.toFixed(4)}`)}</title></rect>`,
        `<text x="${round(x + (barWidth - 2) / 2)}" y="${top - 4}" text-anchor="middle" font-size="10" fill="#333">` +
          `${value.toFixed(3)}</text>`,
      );
    });
    parts.push(
      `<text x="${round(margin.left + (g + 0.5) * groupWidth)}" y="${margin.top + plotHeight + 20}" ` +
        `text-anchor="middle" font-size="13">${escapeXml(group)}</text>`,
    );
  });

  const legendTop = height - legendHeight + 4;
  const legendColumn = (width - margin.left) / 3;
  series.forEach((s, i) => {
    const lx = round(margin.left + (i % 3) * legendColumn);
    const ly = legendTop + Math.floor(i / 3) * legendRowHeight;
    parts.push(
      `<rect x="${lx}" y="${ly}" width="12" height="12" fill="${colour(i)}"/>`,
      `<text x="${lx + 18}" y="${ly + 10}">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

function colour(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

function formatTick(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
