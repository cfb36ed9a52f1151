import {
  loadMetricsSettings,
  metricsFromEnvironment,
  PowertoolsMetrics,
} from '../../../../lambda/adapters/powertools-metrics';
import { ConfigurationError } from '../../../../lambda/core/config';
import { METRICS } from '../../../../lambda/domain/metrics';
import { ENV } from '../../../../lambda/shared/function-environment';
import { lambdaContext } from '../../../support/api-events';
import { captureStdout, type EmfLine, emfTotal } from '../../../support/emf-capture';

const NAMESPACE = 'acme-dev-stripe-service';
const settings = { namespace: NAMESPACE, environment: 'dev' };

const definition = (line: EmfLine | undefined) => line?._aws.CloudWatchMetrics[0];
const names = (line: EmfLine | undefined) => definition(line)?.Metrics.map((m) => m.Name) ?? [];

/** Runs `body` with stdout captured; returns the EMF lines written meanwhile. */
async function emfOf(body: () => Promise<unknown>): Promise<EmfLine[]> {
  const stdout = captureStdout();
  try {
    await body();
  } catch {
    // The caller asserts on the error separately; here only the output matters.
  } finally {
    stdout.restore();
  }
  return stdout.emf();
}

describe('PowertoolsMetrics', () => {
  it('writes counts as EMF in the stack namespace with the environment dimension only', async () => {
    const metrics = new PowertoolsMetrics(settings);
    const handler = metrics.instrument(() => {
      metrics.count(METRICS.webhookVerified);
      metrics.count(METRICS.webhookVerified);
      metrics.count(METRICS.webhookDuplicate, 3);
      return Promise.resolve('done');
    });
    const lines = await emfOf(() => handler({}, lambdaContext()));

    const counts = lines.filter((line) => names(line).includes(METRICS.webhookVerified));
    expect(counts).toHaveLength(1);
    const [line] = counts;
    expect(definition(line)?.Namespace).toBe(NAMESPACE);
    // Exactly `environment`: no Powertools `service` dimension for the alarms to miss.
    expect(definition(line)?.Dimensions).toEqual([['environment']]);
    expect(line?.environment).toBe('dev');
    expect(line?.service).toBeUndefined();
    expect(definition(line)?.Metrics).toContainEqual({
      Name: METRICS.webhookVerified,
      Unit: 'Count',
    });
    expect(emfTotal(lines, METRICS.webhookVerified)).toBe(2);
    expect(emfTotal(lines, METRICS.webhookDuplicate)).toBe(3);
  });

  it('emits a count with its own dimension on a line of its own, leaving the others unsplit', async () => {
    const metrics = new PowertoolsMetrics(settings);
    const handler = metrics.instrument(() => {
      metrics.count(METRICS.webhookVerified);
      metrics.count(METRICS.billingEventsPublished, 1, { name: 'type', value: 'invoice.paid' });
      return Promise.resolve();
    });
    const lines = await emfOf(() => handler({}, lambdaContext()));

    const published = lines.filter((line) => names(line).includes(METRICS.billingEventsPublished));
    expect(published).toHaveLength(1);
    expect(definition(published[0])?.Dimensions).toEqual([['environment', 'type']]);
    expect(published[0]).toMatchObject({ environment: 'dev', type: 'invoice.paid' });
    expect(names(published[0])).toEqual([METRICS.billingEventsPublished]);

    const verified = lines.find((line) => names(line).includes(METRICS.webhookVerified));
    expect(definition(verified)?.Dimensions).toEqual([['environment']]);
    expect(verified?.type).toBeUndefined();
  });

  it('captures the cold start once per container, with the function name', async () => {
    // What Lambda sets in an on-demand container (Powertools counts no other as cold).
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const metrics = new PowertoolsMetrics(settings);
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    const handler = metrics.instrument(() => Promise.resolve());
    const context = { ...lambdaContext(), functionName: 'acme-dev-stripe-webhook' };
    const first = await emfOf(() => handler({}, context));
    const second = await emfOf(() => handler({}, context));

    const coldStart = first.find((line) => names(line).includes('ColdStart'));
    expect(coldStart).toMatchObject({
      environment: 'dev',
      function_name: 'acme-dev-stripe-webhook',
      ColdStart: 1,
    });
    expect(definition(coldStart)?.Namespace).toBe(NAMESPACE);
    expect(definition(coldStart)?.Dimensions).toEqual([['environment', 'function_name']]);
    expect(emfTotal(second, 'ColdStart')).toBe(0);
  });

  it('flushes when the handler fails, and rethrows', async () => {
    const metrics = new PowertoolsMetrics(settings);
    const failure = new Error('run failed');
    const handler = metrics.instrument(() => {
      metrics.count(METRICS.reconciliationFailures);
      return Promise.reject(failure);
    });
    const stdout = captureStdout();
    const outcome = handler({}, lambdaContext()).catch((error: unknown) => error);
    await expect(outcome).resolves.toBe(failure);
    stdout.restore();
    expect(emfTotal(stdout.emf(), METRICS.reconciliationFailures)).toBe(1);
  });

  it('flushes every invocation: counts never leak into the next one', async () => {
    const metrics = new PowertoolsMetrics(settings);
    let runs = 0;
    const handler = metrics.instrument(() => {
      runs++;
      if (runs === 1) metrics.count(METRICS.checkoutSessionsCreated);
      return Promise.resolve();
    });
    const first = await emfOf(() => handler({}, lambdaContext()));
    const second = await emfOf(() => handler({}, lambdaContext()));
    expect(emfTotal(first, METRICS.checkoutSessionsCreated)).toBe(1);
    expect(emfTotal(second, METRICS.checkoutSessionsCreated)).toBe(0);
  });

  it('writes nothing at all for an invocation that counted nothing (no empty-metrics warning)', async () => {
    const metrics = new PowertoolsMetrics(settings);
    const handler = metrics.instrument(() => Promise.resolve());
    await handler({}, lambdaContext()); // the cold start
    const stdout = captureStdout();
    await handler({}, lambdaContext());
    stdout.restore();
    expect(stdout.emf()).toEqual([]);
    expect(stdout.other()).toEqual([]);
  });
});

describe('loadMetricsSettings', () => {
  it('reads the namespace and the environment the stack sets', () => {
    expect(
      loadMetricsSettings({ [ENV.metricsNamespace]: NAMESPACE, [ENV.environmentName]: 'prod' }),
    ).toEqual({ namespace: NAMESPACE, environment: 'prod' });
  });

  it('names every missing setting at once', () => {
    expect(() => loadMetricsSettings({})).toThrow(ConfigurationError);
    expect(() => loadMetricsSettings({})).toThrow(
      `${ENV.metricsNamespace} is not set; ${ENV.environmentName} is not set`,
    );
  });

  it('builds the adapter from the environment', async () => {
    const metrics = metricsFromEnvironment({
      [ENV.metricsNamespace]: NAMESPACE,
      [ENV.environmentName]: 'staging',
    });
    const handler = metrics.instrument(() => {
      metrics.count(METRICS.awsTimeouts);
      return Promise.resolve();
    });
    const lines = await emfOf(() => handler({}, lambdaContext()));
    const line = lines.find((l) => names(l).includes(METRICS.awsTimeouts));
    expect(line?.environment).toBe('staging');
    expect(definition(line)?.Namespace).toBe(NAMESPACE);
  });
});
