import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../adapters/config/load.ts';
import { CalendarReader, instantAt, nextOpen } from '../../core/answers/calendar.ts';
import { cueText } from '../../core/answers/text.ts';
import { nextOpening } from '../../core/hours.ts';

const config = loadConfig({ profile: 'academy' });
const hours = config.helpdesk.hours;
const reader = new CalendarReader(config.facts.calendar);
/** Tuesday 24 November 2026, 10:00 in Brussels. */
const NOW = new Date('2026-11-24T09:00:00Z');

describe('the calendar of the fact answers', () => {
  it('finds the next opening like core/hours.ts does, over holidays, weekends and DST', () => {
    const start = Date.parse('2026-10-20T00:00:00Z');
    for (let t = start; t < start + 200 * 86_400_000; t += 7 * 3_600_000 + 13 * 60_000) {
      const at = new Date(t);
      expect(nextOpen(at, hours).toISOString(), at.toISOString()).toBe(nextOpening(at, hours).toISOString());
    }
  });

  it('turns a local day and time into the instant, in winter and summer time', () => {
    expect(instantAt('2026-11-24', 8 * 60 + 30, 'Europe/Brussels').toISOString()).toBe('2026-11-24T07:30:00.000Z');
    expect(instantAt('2027-07-22', 8 * 60 + 30, 'Europe/Brussels').toISOString()).toBe('2027-07-22T06:30:00.000Z');
  });

  it.each([
    ['vandaag', '2026-11-24', null],
    ['morgen', '2026-11-25', null],
    ['overmorgen', '2026-11-26', null],
    ['zaterdag', '2026-11-28', null],
    ['op dinsdag', '2026-11-24', null],
    ['le 25/12', '2026-12-25', null],
    ['op 3 januari', '2027-01-03', null],
    ['on March 29th', '2027-03-29', null],
    ['met Kerstmis', '2026-12-25', null],
    ['à la Toussaint', '2027-11-01', null],
    ['op paasmaandag', '2027-03-29', null],
    ['na 17u', null, 17 * 60 + 1],
    ['om 17:30', null, 17 * 60 + 30],
    ['avant 8h30', null, 8 * 60 + 29],
    ['after 5pm', null, 17 * 60 + 1],
    ['after 6', null, 18 * 60 + 1],
    ['morgen om 9u', '2026-11-25', 9 * 60],
    ['versie 8.4.2', null, null],
    ['3 vragen over 2 leerlingen', null, null],
  ])('reads "%s" as day %s, minute %s', (text, date, minutes) => {
    const moment = reader.read(cueText(text), NOW, hours.timezone);
    expect([moment.date, moment.minutes]).toEqual([date, minutes]);
  });
});
