/**
 * Durations in specs are short strings (`72h`, `7d`, `1d12h`) because people write them by hand in YAML;
 * workflows need milliseconds. Pure so that workflows may use it.
 */

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export const DURATION_PATTERN = /^(?:\d+[smhdw])+$/;

/** Parse `90m`, `72h`, `7d`, `2w`, `1d12h` into milliseconds; returns undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhdw])/g)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** Inverse of parseDuration for display: the largest whole units, e.g. 129600000 → `1d12h`. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out || `${ms}ms`;
}
