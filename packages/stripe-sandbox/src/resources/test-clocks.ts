import {
  advanceTestClock,
  createTestClock,
  deleteTestClock,
  requireTestClock,
} from '../billing/test-clocks';
import { parameterMissing } from '../http/errors';
import { Params } from '../http/params';
import { type ApiHandler, pathParam } from './api-context';
import { LIST_PARAMS, listObject } from './listing';
import { respond } from './shared';

/**
 * `/v1/test_helpers/test_clocks`: create, retrieve, list, delete, advance (what advancing
 * does is in `billing/test-clocks.ts`).
 */

const URL = '/v1/test_helpers/test_clocks';

function frozenTime(params: Params): number {
  const value = params.integer('frozen_time', { min: 0 });
  if (value === undefined) throw parameterMissing('frozen_time');
  return value;
}

export const createTestClockEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, ['frozen_time', 'name']);
  const clock = createTestClock(
    context.state,
    frozenTime(params),
    params.string('name') ?? null,
    context.origin,
  );
  return respond(context, clock, params);
};

export const retrieveTestClock: ApiHandler = (context) => {
  const params = new Params(context.raw, []);
  return respond(context, requireTestClock(context.state, pathParam(context, 'id')), params);
};

export const listTestClocks: ApiHandler = (context) => {
  const params = new Params(context.raw, [...LIST_PARAMS]);
  const clocks = context.state.store.list('test_helpers.test_clock');
  return respond(context, listObject(URL, clocks, params), params);
};

export const deleteTestClockEndpoint: ApiHandler = (context) => {
  new Params(context.raw, []);
  return deleteTestClock(context.state, pathParam(context, 'id'), context.origin);
};

export const advanceTestClockEndpoint: ApiHandler = (context) => {
  const params = new Params(context.raw, ['frozen_time']);
  const id = pathParam(context, 'id');
  return respond(
    context,
    advanceTestClock(context.state, id, frozenTime(params), context.origin),
    params,
  );
};
