import { ENVIRONMENT_NAMES } from '../../../lib/config';
import { synthesize } from '../../support/synth';

jest.setTimeout(60_000);

/**
 * Asset hashes change with any code change (and bundle paths with the checkout path);
 * the snapshot is of the infrastructure, so they are replaced by a placeholder.
 */
function normalised(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '[ASSET_HASH]'));
}

describe.each(ENVIRONMENT_NAMES)('template snapshot (%s)', (env) => {
  it('matches the reviewed template', () => {
    expect(normalised(synthesize(env).template.toJSON())).toMatchSnapshot();
  });
});
