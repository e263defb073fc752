import type { CalendarSpecDescription, Range } from '@temporalio/client';
import type { ScheduleView } from '../client/audit';

const MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
];
const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

const title = (name: string) => name.charAt(0) + name.slice(1).toLowerCase();
const two = (n: number) => String(n).padStart(2, '0');
/** 1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, ... 21st. */
const ordinal = (n: number) =>
  `${n}${(n % 100 >= 11 && n % 100 <= 13 ? undefined : ['st', 'nd', 'rd'][(n % 10) - 1]) ?? 'th'}`;

/** The values a list of ranges covers, as numbers (names are mapped through `names`), sorted. */
function values<T extends string | number>(ranges: Range<T>[], names: string[] = []): number[] {
  const index = (v: T) => (typeof v === 'number' ? v : names.indexOf(v));
  const out = new Set<number>();
  for (const r of ranges) for (let v = index(r.start); v <= index(r.end ?? r.start); v += r.step || 1) out.add(v);
  return [...out].sort((a, b) => a - b);
}

function list(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `every quarter (January, April, July and October) on the 1st at 06:00 UTC`: one calendar as a person says it. */
export function describeCalendar(c: CalendarSpecDescription, timezone: string): string {
  const months = values(c.month, MONTHS);
  const monthText =
    months.length === 12
      ? 'every month'
      : months.length === 4 && months.every((m, i) => m === months[0]! + 3 * i)
        ? `every quarter (${list(months.map((m) => title(MONTHS[m]!)))})`
        : `in ${list(months.map((m) => title(MONTHS[m]!)))}`;
  const days = values(c.dayOfMonth);
  const weekdays = values(c.dayOfWeek, DAYS);
  const dayText = [
    ...(days.length < 31 ? [`on the ${list(days.map(ordinal))}`] : []),
    ...(weekdays.length < 7 ? [`on ${list(weekdays.map((d) => `${title(DAYS[d]!)}s`))}`] : []),
  ];
  const hours = values(c.hour);
  const minutes = values(c.minute);
  const seconds = values(c.second);
  const secondsText = seconds.some((s) => s > 0) ? `:${seconds.map(two).join('/')}` : '';
  const times = hours.flatMap((h) => minutes.map((m) => `${two(h)}:${two(m)}${secondsText}`));
  const timeText = hours.length === 24 ? `every hour at :${minutes.map(two).join(', :')}` : `at ${list(times)}`;
  const years = values(c.year);
  const yearText = years.length ? [`(${list(years.map(String))} only)`] : [];
  return [monthText, ...dayText, timeText, timezone || 'UTC', ...yearText].join(' ');
}

/** `7d`, `1h 30m`, `45s`: a duration in milliseconds as a person reads it. */
export function duration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return parts.join(' ') || '0s';
}

/** `onramp audit schedule`: when the audit runs, what happens to overlaps and missed runs, and the next runs. */
export function renderSchedule(view: ScheduleView): string {
  const { spec, policies, state } = view;
  const timezone = spec.timezone || 'UTC';
  const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  const overlap = (policies.overlap ?? 'SKIP').toLowerCase().replace(/_/g, ' ');
  const recent = view.recentActions
    .slice(-3)
    .map((a) => `${a.workflowId} at ${utc(a.takenAt)}`)
    .join('; ');
  return [
    `Schedule ${view.scheduleId}${state.paused ? ' (paused)' : ''}`,
    ...(spec.calendars ?? []).map((c) => `  when      ${describeCalendar(c, timezone)}`),
    ...(spec.intervals ?? []).map(
      (i) => `  when      every ${duration(i.every)}${i.offset ? ` (offset ${duration(i.offset)})` : ''}`,
    ),
    `  overlap   ${overlap} (what happens when a run is due while the last one runs)`,
    `  catch-up  ${duration(policies.catchupWindow)} (runs missed while Temporal was down are made within this window)`,
    `  next      ${view.nextActionTimes.slice(0, 4).map(utc).join(', ') || '(none)'}`,
    `  recent    ${recent || '(none yet)'}`,
  ].join('\n');
}
