import type { Calendar } from '../config/facts-schema.ts';
import type { Lang } from '../config/schema.ts';
import { localParts } from '../hours.ts';
import { escapeRegExp, words } from '../text/normalize.ts';
import { Cues, cueText } from './text.ts';

export const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type DayKey = (typeof DAY_KEYS)[number];

/** A calendar day as YYYY-MM-DD. */
export type Ymd = string;

/** The local day and minute of an instant: core/hours.ts's reading, without the weekday. */
function parts(at: Date, timeZone: string): { date: Ymd; minutes: number } {
  const { date, minutes } = localParts(at, timeZone);
  return { date, minutes };
}

const localCache = new Map<string, { date: Ymd; minutes: number }>();

/** The local day and minute of the day of an instant in a time zone (memoised per minute: Intl is slow). */
export function localOf(at: Date, timeZone: string): { date: Ymd; minutes: number } {
  const key = `${timeZone}|${Math.floor(at.getTime() / 60_000)}`;
  let local = localCache.get(key);
  if (!local) {
    if (localCache.size > 2000) localCache.clear();
    localCache.set(key, (local = parts(at, timeZone)));
  }
  return local;
}

function ymdToUtc(date: Ymd): number {
  const [y, m, d] = date.split('-').map(Number);
  return Date.UTC(y!, m! - 1, d!);
}

function utcToYmd(ms: number): Ymd {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: Ymd, n: number): Ymd {
  return utcToYmd(ymdToUtc(date) + n * 86_400_000);
}

export function weekdayOf(date: Ymd): DayKey {
  return DAY_KEYS[new Date(ymdToUtc(date)).getUTCDay()]!;
}

/** The instant of a local day and minute in a time zone (DST handled by measuring the offset twice). */
export function instantAt(date: Ymd, minutes: number, timeZone: string): Date {
  const wall = ymdToUtc(date) + minutes * 60_000;
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const local = localOf(new Date(guess), timeZone);
    const seen = ymdToUtc(local.date) + local.minutes * 60_000;
    guess += wall - seen;
  }
  return new Date(guess);
}

export function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** What a message names: a day (YYYY-MM-DD, resolved from now), a clock time, or neither. */
export interface Moment {
  date: Ymd | null;
  /** Minutes after midnight of the time asked, already moved a minute by "after"/"before". */
  minutes: number | null;
  /** The time as written ("17:00"), for the answer. */
  time: string | null;
}

const TIME =
  /(?<![\p{L}\p{N}.,:/-])([01]?\d|2[0-3])(?:(?:\s?[:.]|\s?h|\s?u)([0-5]\d)(?!\d)|\s?(?:uur|u|h|heures?|hours?|o'?clock)(?![\p{L}\p{N}])|\s?(am|pm|a\.m\.|p\.m\.)(?![\p{L}]))/gu;
const NUMERIC_DATE = /(?<![\p{N}/.:-])(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\p{N}/.:-]|\s?(?:u|h)\b)/gu;
const BARE_HOUR = /^\s*(?:om|a|at|rond|vers|around)?\s*([01]?\d|2[0-3])(?![\p{N}:.])/u;

/** Reads days and times from folded text with the configured calendar words. */
export class CalendarReader {
  /** Every word of the calendar (day and month names, "vandaag"...): neutral when scoring facts. */
  readonly vocabulary: ReadonlySet<string>;
  private readonly today: Cues;
  private readonly tomorrow: Cues;
  private readonly dayAfter: Cues;
  private readonly weekdays: [DayKey, Cues][];
  private readonly after: Cues;
  private readonly before: Cues;
  private readonly holidays: { names: Cues; dates: string[] }[];
  private readonly months: Map<string, number>;
  private readonly monthDate: RegExp | null;

  constructor(calendar: Calendar) {
    this.today = new Cues(calendar.today);
    this.tomorrow = new Cues(calendar.tomorrow);
    this.dayAfter = new Cues(calendar.day_after_tomorrow);
    this.weekdays = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => [
      d,
      new Cues(calendar.weekdays[d]),
    ]);
    this.after = new Cues(calendar.after);
    this.before = new Cues(calendar.before);
    this.holidays = calendar.holidays.map((h) => ({
      names: new Cues({ nl: h.names, fr: [], en: [] }),
      dates: h.dates,
    }));
    this.months = new Map();
    for (const lang of ['nl', 'fr', 'en'] as Lang[]) {
      calendar.months[lang].forEach((names, i) => {
        for (const n of names) this.months.set(cueText(n), i + 1);
      });
    }
    const names = [...this.months.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.monthDate =
      names.length === 0
        ? null
        : new RegExp(
            `(?<![\\p{L}\\p{N}])(?:(\\d{1,2})(?:e|ste|de|er|re|st|nd|rd|th)?\\s+(${names.join('|')})|(${names.join('|')})\\s+(\\d{1,2})(?:st|nd|rd|th)?)(?![\\p{L}\\p{N}])`,
            'gu',
          );
    const vocabulary = new Set<string>();
    const add = (phrases: readonly string[]) => {
      for (const p of phrases) for (const w of words(cueText(String(p)))) vocabulary.add(w);
    };
    for (const list of [
      calendar.today,
      calendar.tomorrow,
      calendar.day_after_tomorrow,
      calendar.after,
      calendar.before,
      calendar.other,
      ...Object.values(calendar.weekdays),
    ]) {
      add([...list.nl, ...list.fr, ...list.en]);
    }
    for (const h of calendar.holidays) add(h.names);
    add([...this.months.keys()]);
    this.vocabulary = vocabulary;
  }

  /** The day and time a folded message names, resolved against `now` in the time zone. */
  read(folded: string, now: Date, timeZone: string): Moment {
    const today = localOf(now, timeZone).date;
    const time = this.readTime(folded);
    return { date: this.readDate(folded, today, time?.span ?? null), ...(time ?? { minutes: null, time: null }) };
  }

  /** Does the folded text name a day, a date or a clock time at all? */
  namesMoment(folded: string): boolean {
    return this.readTime(folded) !== null || this.readDate(folded, '2000-01-01', null) !== null;
  }

  private readTime(folded: string): { minutes: number; time: string; span: [number, number] } | null {
    for (const m of folded.matchAll(TIME)) {
      let hour = Number(m[1]);
      const minute = Number(m[2] ?? 0);
      if (m[3]?.startsWith('p') && hour < 12) hour += 12;
      if (m[3]?.startsWith('a') && hour === 12) hour = 0;
      const start = m.index ?? 0;
      return { ...this.shift(folded, start, hour * 60 + minute), span: [start, start + m[0].length] };
    }
    // "na 5?", "after 6": a bare hour right after a word of after/before.
    for (const cues of [this.after, this.before]) {
      for (const hit of cues.findAll(folded)) {
        const m = BARE_HOUR.exec(folded.slice(hit.end));
        if (!m) continue;
        let hour = Number(m[1]);
        // "na 5" means five in the afternoon: the helpdesk's day runs by daylight.
        if (hour > 0 && hour < 7) hour += 12;
        return { ...this.shift(folded, hit.end, hour * 60), span: [hit.start, hit.end + m[0].length] };
      }
    }
    return null;
  }

  private shift(folded: string, start: number, minutes: number): { minutes: number; time: string } {
    const before = folded
      .slice(Math.max(0, start - 24), start)
      .replace(/\s+(?:om|a|at|rond|vers|around)\s*$/, ' ')
      .trimEnd();
    const endsWith = (cues: Cues) => cues.all().some((p) => before === p || before.endsWith(` ${p}`));
    const moved = endsWith(this.after) ? minutes + 1 : endsWith(this.before) ? minutes - 1 : minutes;
    return { minutes: Math.max(0, Math.min(24 * 60 - 1, moved)), time: hhmm(minutes) };
  }

  private readDate(folded: string, today: Ymd, timeSpan: [number, number] | null): Ymd | null {
    const year = Number(today.slice(0, 4));
    const resolve = (month: number, day: number, y?: number): Ymd | null => {
      if (month < 1 || month > 12 || day < 1 || day > 31) return null;
      const pad = (n: number) => String(n).padStart(2, '0');
      if (y !== undefined) return `${y < 100 ? 2000 + y : y}-${pad(month)}-${pad(day)}`;
      const thisYear = `${year}-${pad(month)}-${pad(day)}`;
      return thisYear >= today ? thisYear : `${year + 1}-${pad(month)}-${pad(day)}`;
    };
    if (this.monthDate) {
      for (const m of folded.matchAll(this.monthDate)) {
        const day = Number(m[1] ?? m[4]);
        const month = this.months.get(m[2] ?? m[3] ?? '') ?? 0;
        const date = resolve(month, day);
        if (date) return date;
      }
    }
    for (const m of folded.matchAll(NUMERIC_DATE)) {
      const start = m.index ?? 0;
      if (timeSpan && start < timeSpan[1] && timeSpan[0] < start + m[0].length) continue;
      const date = resolve(Number(m[2]), Number(m[1]), m[3] === undefined ? undefined : Number(m[3]));
      if (date) return date;
    }
    for (const h of this.holidays) {
      if (!h.names.has(folded)) continue;
      const dates = h.dates.flatMap((d) => (d.length === 5 ? [`${year}-${d}`, `${year + 1}-${d}`] : [d])).sort();
      return dates.find((d) => d >= today) ?? dates[dates.length - 1] ?? null;
    }
    if (this.dayAfter.has(folded)) return addDays(today, 2);
    if (this.tomorrow.has(folded)) return addDays(today, 1);
    for (const [key, cues] of this.weekdays) {
      if (!cues.has(folded)) continue;
      for (let i = 0; i < 7; i++) if (weekdayOf(addDays(today, i)) === key) return addDays(today, i);
    }
    if (this.today.has(folded)) return today;
    return null;
  }
}

/** Hours as config has them (a subset of `helpdesk.hours`). */
interface Hours {
  timezone: string;
  days: readonly string[];
  open: string;
  close: string;
  closed: readonly string[];
}

export function toMinutes(t: string): number {
  const [h, m] = t.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Is the helpdesk open at some time on this local day (a workday, not a closing day)? */
export function isWorkday(date: Ymd, hours: Hours): boolean {
  return hours.days.includes(weekdayOf(date)) && !hours.closed.includes(date);
}

/**
 * The next instant the helpdesk opens at or after `from`: the same as core/hours.ts nextOpening, walking
 * days instead of quarter hours (a fact answer must not cost milliseconds).
 */
export function nextOpen(from: Date, hours: Hours): Date {
  const openAt = toMinutes(hours.open);
  const start = localOf(from, hours.timezone).date;
  for (let i = 0; i < 60; i++) {
    const date = addDays(start, i);
    if (!isWorkday(date, hours)) continue;
    const at = instantAt(date, openAt, hours.timezone);
    if (at.getTime() >= from.getTime()) return at;
  }
  return from;
}
