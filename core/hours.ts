import type { Config } from './config/schema.ts';

type Hours = Config['helpdesk']['hours'];

const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Formatters by time zone: building one costs far more than using it, and `nextOpening` uses thousands. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Formatters for people (day names, dates), by what they show: as costly to build as the one above. */
const readable = new Map<string, Intl.DateTimeFormat>();

function readableFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = readable.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    if (readable.size > 200) readable.clear();
    readable.set(key, format);
  }
  return format;
}

/** Local calendar parts of an instant in a time zone (Intl does the zone arithmetic; no I/O). */
export function localParts(
  at: Date,
  timeZone: string,
): { date: string; day: (typeof DAY_KEYS)[number]; minutes: number } {
  const parts = formatter(timeZone).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').slice(0, 3).toLowerCase() as (typeof DAY_KEYS)[number];
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    day,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function isWorkday(date: string, day: string, hours: Hours): boolean {
  return (hours.days as readonly string[]).includes(day) && !hours.closed.includes(date);
}

/** Is the helpdesk open at this instant (workday, between open and close, not a closing day)? */
export function isOpen(at: Date, hours: Hours): boolean {
  const local = localParts(at, hours.timezone);
  return (
    isWorkday(local.date, local.day, hours) &&
    local.minutes >= toMinutes(hours.open) &&
    local.minutes < toMinutes(hours.close)
  );
}

/** The next instant the helpdesk opens (later today, or on the next workday), searching up to 3 weeks. */
export function nextOpening(at: Date, hours: Hours): Date {
  const openAt = toMinutes(hours.open);
  // Walk in 15-minute steps to the first open moment; at most 3 weeks of steps, far below a millisecond each.
  const step = 15 * 60_000;
  let t = new Date(Math.ceil(at.getTime() / step) * step);
  for (let i = 0; i < 21 * 24 * 4; i++) {
    const local = localParts(t, hours.timezone);
    if (isWorkday(local.date, local.day, hours) && local.minutes === openAt) return t;
    t = new Date(t.getTime() + step);
  }
  return t;
}

/** Weekday name and time of an instant in a language, e.g. "maandag 08:30". */
export function describeInstant(at: Date, timeZone: string, locale: string): { day: string; time: string } {
  const day = readableFormat(locale, { timeZone, weekday: 'long' }).format(at);
  const time = readableFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  return { day, time };
}

/**
 * The end of the `n`th working day after `at` (the helpdesk's closing time that day): when a ticket
 * without reaction is closed. Closing days and weekends do not count.
 */
export function afterWorkdays(at: Date, n: number, hours: Hours): Date {
  const closeAt = toMinutes(hours.close);
  let t = at;
  let counted = 0;
  let lastDate = localParts(at, hours.timezone).date;
  // Walk by hours: enough to land on each calendar day (DST included) without Date arithmetic on zones.
  for (let i = 0; i < 24 * 60 && counted < n; i++) {
    t = new Date(t.getTime() + 3_600_000);
    const local = localParts(t, hours.timezone);
    if (local.date === lastDate) continue;
    lastDate = local.date;
    if (isWorkday(local.date, local.day, hours)) counted++;
  }
  // Move to the closing time of that day.
  const local = localParts(t, hours.timezone);
  return new Date(t.getTime() + (closeAt - local.minutes) * 60_000);
}

/** A date as people read it, e.g. "maandag 30 november". */
export function describeDate(at: Date, timeZone: string, locale: string): string {
  return readableFormat(locale, { timeZone, weekday: 'long', day: 'numeric', month: 'long' }).format(at);
}
