// Dates and instants are judged as instants in UTC: everything inside 1900-01-01T00:00Z ..
// 2199-12-31T23:59:59Z is accepted, nothing outside, whatever offset it is written with.
import { describe, expect, it } from 'vitest';
import { commitmentSchema } from '../../api/account/service';
import { isoDate, isoInstant } from '../../domain/schemas';

const OWNER = '3f1c1f64-2d5a-4a57-9b0e-6f1f3c1b2a10';
const due = (dueDate: string) => commitmentSchema.safeParse({ what: 'Подать машину к 8:00', dueDate, ownerId: OWNER });

describe('instants at the edges of the accepted range', () => {
  it.each([
    '1900-01-01T00:00:00Z',
    '1900-01-01T00:00:00.000Z',
    '1900-01-01T05:00:00+05:00',
    '1899-12-31T23:00:00-01:00',
    '2199-12-31T12:00:00Z',
    '2199-12-31T23:59:59Z',
    '2199-12-31T23:59:59.999Z',
    '2200-01-01T02:59:59+03:00',
  ])('accepts %s', (instant) => {
    expect(isoInstant.safeParse(instant).success).toBe(true);
    expect(due(instant).success).toBe(true);
  });

  it.each([
    '1900-01-01T00:00:00+05:00',
    '1899-12-31T23:59:59.999Z',
    '1900-01-01T04:59:59+05:00',
    '2200-01-01T00:00:00Z',
    '2199-12-31T23:59:59-00:01',
    '2199-12-31T22:00:00-03:00',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
  ])('refuses %s, naming the field', (instant) => {
    expect(isoInstant.safeParse(instant).success).toBe(false);
    const parsed = due(instant);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['dueDate']);
  });

  it('refuses an instant without its offset (a local time names no instant)', () => {
    expect(isoInstant.safeParse('2100-01-01T00:00:00').success).toBe(false);
  });

  it.each([
    ['1900-01-01', true],
    ['2199-12-31', true],
    ['1899-12-31', false],
    ['2200-01-01', false],
  ])('a date %s is accepted: %s', (date, ok) => {
    expect(isoDate.safeParse(date).success).toBe(ok);
    expect(due(date).success).toBe(ok);
  });
});
