import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/index';
import {
  addMoney,
  currencyExponent,
  fromMinorUnits,
  fromMinorUnitsToNumber,
  lineAmount,
  money,
  moneyFromDecimal,
  toMinorUnits,
} from './index';

describe('money', () => {
  it('converts provider decimals to minor units exactly', () => {
    expect(toMinorUnits('10.05', 'USD')).toBe(1005);
    expect(toMinorUnits(10.05, 'USD')).toBe(1005); // 10.05 * 100 is 1004.9999999999999 in floats
    expect(toMinorUnits('0.1', 'usd')).toBe(10);
    expect(toMinorUnits('-3.5', 'EUR')).toBe(-350);
    expect(toMinorUnits('1000', 'JPY')).toBe(1000);
    expect(toMinorUnits('1.005', 'KWD')).toBe(1005);
    expect(toMinorUnits('12.300', 'USD')).toBe(1230);
    expect(toMinorUnits(1e-7, 'USD', { rounding: 'half-up' })).toBe(0);
  });

  it('rejects extra decimals unless a rounding is chosen', () => {
    expect(() => toMinorUnits('10.005', 'USD')).toThrow(ValidationError);
    expect(() => toMinorUnits('12.5', 'JPY')).toThrow(/decimal places/);
    expect(toMinorUnits('10.005', 'USD', { rounding: 'half-up' })).toBe(1001);
    expect(toMinorUnits('10.005', 'USD', { rounding: 'half-even' })).toBe(1000);
    expect(toMinorUnits('-10.005', 'USD', { rounding: 'half-up' })).toBe(-1001);
  });

  it('rejects what is not a number', () => {
    for (const bad of ['', 'abc', '1,000.00', '10.0.1', Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => toMinorUnits(bad as string, 'USD')).toThrow(ValidationError);
    }
    expect(() => toMinorUnits('99999999999999999999', 'USD')).toThrow(/too large/);
  });

  it('formats minor units back to decimal strings and numbers', () => {
    expect(fromMinorUnits(1005, 'USD')).toBe('10.05');
    expect(fromMinorUnits(5, 'USD')).toBe('0.05');
    expect(fromMinorUnits(-350, 'EUR')).toBe('-3.50');
    expect(fromMinorUnits(1000, 'JPY')).toBe('1000');
    expect(fromMinorUnits(1005, 'KWD')).toBe('1.005');
    expect(fromMinorUnitsToNumber(1005, 'USD')).toBe(10.05);
    expect(() => fromMinorUnits(10.5, 'USD')).toThrow(ValidationError);
    expect(currencyExponent('jpy')).toBe(0);
  });

  it('round-trips every cent value through strings without drift', () => {
    for (let cents = -2000; cents <= 2000; cents += 7) {
      expect(toMinorUnits(fromMinorUnits(cents, 'USD'), 'USD')).toBe(cents);
      expect(toMinorUnits(fromMinorUnitsToNumber(cents, 'USD'), 'USD')).toBe(cents);
    }
  });

  it('computes line amounts for fractional quantities with half-up rounding', () => {
    expect(lineAmount(1.5, money(8000, 'USD'))).toEqual({ amount: 12000, currency: 'USD' });
    expect(lineAmount('0.333', money(100, 'USD'))).toEqual({ amount: 33, currency: 'USD' });
    expect(lineAmount(0.005, money(100, 'USD'))).toEqual({ amount: 1, currency: 'USD' });
    expect(lineAmount(3, money(1999, 'JPY'))).toEqual({ amount: 5997, currency: 'JPY' });
  });

  it('refuses to add different currencies and validates construction', () => {
    expect(addMoney(money(100, 'USD'), moneyFromDecimal('0.25', 'usd'))).toEqual({
      amount: 125,
      currency: 'USD',
    });
    expect(() => addMoney(money(100, 'USD'), money(100, 'EUR'))).toThrow(/USD and EUR/);
    expect(() => money(1.5, 'USD')).toThrow(ValidationError);
    expect(() => money(1, 'US')).toThrow(ValidationError);
  });
});
