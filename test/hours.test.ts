import { describe, expect, it } from 'vitest';
import { isOpen, nextOpening } from '../core/hours.ts';
import { shippedCore } from './helpers.ts';

const hours = () => shippedCore().config.helpdesk.hours;

describe('contact hours (Europe/Brussels, workdays 08:30-17:00, holidays from config)', () => {
  it.each([
    ['2026-11-24T07:29:00Z', false], // Tuesday 08:29 CET
    ['2026-11-24T07:30:00Z', true], // 08:30
    ['2026-11-24T15:59:00Z', true], // 16:59
    ['2026-11-24T16:00:00Z', false], // 17:00
    ['2026-11-21T10:00:00Z', false], // Saturday
    ['2026-11-11T10:00:00Z', false], // Armistice Day, a Belgian public holiday
    ['2027-07-21T08:00:00Z', false], // National Day (summer time)
    ['2027-07-22T06:30:00Z', true], // 08:30 CEST
  ])('%s open: %s', (at, open) => {
    expect(isOpen(new Date(at), hours())).toBe(open);
  });

  it('knows when it opens next: after a weekend and a holiday', () => {
    expect(nextOpening(new Date('2026-11-21T20:00:00Z'), hours()).toISOString()).toBe('2026-11-23T07:30:00.000Z');
    expect(nextOpening(new Date('2026-11-10T17:00:00Z'), hours()).toISOString()).toBe('2026-11-12T07:30:00.000Z');
  });
});
