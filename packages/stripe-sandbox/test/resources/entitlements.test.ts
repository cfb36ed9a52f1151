import { planWithFeatures } from '../support/entitlements';
import { failure, useHarness } from '../support/harness';

jest.setTimeout(30_000);

/**
 * Entitlements' endpoints through the real stripe SDK: features and a product's features
 * (a customer's active entitlements and their summary event: billing/entitlements.test.ts).
 */

const h = useHarness({ between: 'reset' });

describe('features (/v1/entitlements/features)', () => {
  it('create, retrieve, update, list with lookup_key and archived', async () => {
    const feature = await h.stripe.entitlements.features.create({
      name: 'Exports',
      lookup_key: 'pro-exports',
      metadata: { tier: 'pro' },
    });
    expect(feature).toEqual({
      id: expect.stringMatching(/^feat_\w+$/) as unknown,
      object: 'entitlements.feature',
      active: true,
      livemode: false,
      lookup_key: 'pro-exports',
      metadata: { tier: 'pro' },
      name: 'Exports',
    });
    expect(await h.stripe.entitlements.features.retrieve(feature.id)).toMatchObject({
      id: feature.id,
    });
    const other = await h.stripe.entitlements.features.create({ name: 'API', lookup_key: 'api' });
    const renamed = await h.stripe.entitlements.features.update(feature.id, { name: 'CSV' });
    expect(renamed).toMatchObject({ name: 'CSV', lookup_key: 'pro-exports' });

    const listed = await h.stripe.entitlements.features.list({ lookup_key: 'api' });
    expect(listed.data.map((f) => f.id)).toEqual([other.id]);

    await h.stripe.entitlements.features.update(other.id, { active: false });
    expect((await h.stripe.entitlements.features.list()).data.map((f) => f.id)).toEqual([
      feature.id,
    ]);
    expect(
      (await h.stripe.entitlements.features.list({ archived: true })).data.map((f) => f.id),
    ).toEqual([other.id]);
    // An archived feature stays as it is; its lookup key may be used again.
    expect(
      await failure(h.stripe.entitlements.features.update(other.id, { active: true })),
    ).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    await h.stripe.entitlements.features.create({ name: 'API v2', lookup_key: 'api' });
  });

  it("refuses a taken lookup key, a missing name, an unknown feature (Stripe's errors)", async () => {
    await h.stripe.entitlements.features.create({ name: 'A', lookup_key: 'taken' });
    expect(
      await failure(h.stripe.entitlements.features.create({ name: 'B', lookup_key: 'taken' })),
    ).toMatchObject({ statusCode: 400, code: 'resource_already_exists', param: 'lookup_key' });
    expect(
      await failure(
        h.stripe.entitlements.features.create({ lookup_key: 'x' } as {
          lookup_key: string;
          name: string;
        }),
      ),
    ).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'name' });
    expect(await failure(h.stripe.entitlements.features.retrieve('feat_nope'))).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('replays a create with the same Idempotency-Key', async () => {
    const params = { name: 'Seats', lookup_key: 'seats' };
    const first = await h.stripe.entitlements.features.create(params, { idempotencyKey: 'k1' });
    const again = await h.stripe.entitlements.features.create(params, { idempotencyKey: 'k1' });
    expect(again.id).toBe(first.id);
  });
});

describe("a product's features (/v1/products/:id/features)", () => {
  it('attach, list, retrieve, detach', async () => {
    const { product, features } = await planWithFeatures(h, ['a', 'b']);
    const listed = await h.stripe.products.listFeatures(product.id);
    expect(listed.data).toHaveLength(2);
    const [first] = listed.data;
    expect(first).toEqual({
      id: expect.stringMatching(/^prodft_\w+$/) as unknown,
      object: 'product_feature',
      entitlement_feature: expect.objectContaining({
        object: 'entitlements.feature',
      }) as unknown,
      livemode: false,
    });
    const id = first?.id ?? '';
    expect(await h.stripe.products.retrieveFeature(product.id, id)).toEqual(first);
    expect(await h.stripe.products.deleteFeature(product.id, id)).toEqual({
      id,
      object: 'product_feature',
      deleted: true,
    });
    expect((await h.stripe.products.listFeatures(product.id)).data).toHaveLength(1);
    expect(await failure(h.stripe.products.retrieveFeature(product.id, id))).toMatchObject({
      statusCode: 404,
    });
    // Attached once only; an unknown feature is the parameter's 400.
    const remaining = features.find((f) => f.id !== first?.entitlement_feature.id);
    expect(
      await failure(
        h.stripe.products.createFeature(product.id, { entitlement_feature: remaining?.id ?? '' }),
      ),
    ).toMatchObject({ statusCode: 400, param: 'entitlement_feature' });
    expect(
      await failure(h.stripe.products.createFeature(product.id, { entitlement_feature: 'feat_x' })),
    ).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'entitlement_feature' });
    expect(
      await failure(h.stripe.products.createFeature('prod_nope', { entitlement_feature: 'x' })),
    ).toMatchObject({ statusCode: 404 });
  });
});
