/** A calendar quarter (UTC), as `onramp evidence --quarter 2026Q4` names it. */
export interface Quarter {
  label: string;
  /** ISO, inclusive. */
  start: string;
  /** ISO, exclusive: the next quarter's start. */
  end: string;
}

const QUARTER = /^(\d{4})Q([1-4])$/;

/** The quarter `2026Q4`; undefined when the text is not one. */
export function parseQuarter(text: string): Quarter | undefined {
  const m = QUARTER.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const q = Number(m[2]);
  const start = new Date(Date.UTC(year, (q - 1) * 3, 1)).toISOString();
  const end = new Date(Date.UTC(year, q * 3, 1)).toISOString();
  return { label: text, start, end };
}

export function quarterOf(at: Date): Quarter {
  return parseQuarter(`${at.getUTCFullYear()}Q${Math.floor(at.getUTCMonth() / 3) + 1}`)!;
}
