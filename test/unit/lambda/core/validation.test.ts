import { thrownHttpError } from '../../../support/http-errors';
import { BodyReader } from '../../../../lambda/core/validation';

describe('BodyReader', () => {
  const fields = ['priceId', 'quantity'];

  it('reads strings and integers', () => {
    const reader = new BodyReader({ priceId: 'p1', quantity: 2 }, fields);
    expect(reader.requiredString('priceId', 64)).toBe('p1');
    expect(reader.optionalInteger('quantity', 1, 10)).toBe(2);
    expect(new BodyReader({}, fields).optionalInteger('quantity', 1, 10)).toBeUndefined();
  });

  it('rejects unknown fields, naming them', () => {
    const error = thrownHttpError(() => new BodyReader({ priceId: 'p', sucessUrl: 'x' }, fields));
    expect([error.status, error.code, error.message]).toEqual([
      400,
      'unknown_field',
      'Unknown field: sucessUrl.',
    ]);
  });

  it.each([
    ['missing', {}, 'missing_field'],
    ['null', { priceId: null }, 'missing_field'],
    ['a number', { priceId: 5 }, 'invalid_field'],
    ['blank', { priceId: '  ' }, 'invalid_field'],
    ['too long', { priceId: 'x'.repeat(65) }, 'invalid_field'],
  ])('rejects a %s string', (_name, body, code) => {
    const error = thrownHttpError(() => new BodyReader(body, fields).requiredString('priceId', 64));
    expect([error.status, error.code]).toEqual([400, code]);
    expect(error.message).toContain('priceId');
  });

  it.each([0, 11, 1.5, '2', null])('rejects quantity %p', (quantity) => {
    expect(
      thrownHttpError(() => new BodyReader({ quantity }, fields).optionalInteger('quantity', 1, 10))
        .status,
    ).toBe(400);
  });
});
