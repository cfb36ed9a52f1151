import { ALL_ROUTES, ROUTES, type RouteName, routeKey } from '../../../../lambda/shared/routes';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../../../lib/config';
import {
  logicalId,
  resolved,
  resourcesOf,
  synthesize,
  synthesizeEveryEnvironment,
  withSettings,
} from '../../../support/synth';

interface StageProperties {
  readonly StageName: string;
  readonly AutoDeploy: boolean;
  readonly DefaultRouteSettings: unknown;
  readonly RouteSettings?: Record<string, unknown>;
  readonly AccessLogSettings: { readonly DestinationArn: unknown; readonly Format: string };
}

/** The HTTP API (ServiceApi): its routes, stage, throttles, access log and outputs. */

jest.setTimeout(60_000);

const get = synthesizeEveryEnvironment();
const settingsOf = (env: EnvironmentName) => get(env).stack.config.settings;

describe.each(ENVIRONMENT_NAMES)('ServiceApi (%s)', (env) => {
  it('routes every contract route to its function on an HTTP API', () => {
    const { stack, template } = get(env);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(ALL_ROUTES.map(routeKey).sort());

    const integrations = Object.fromEntries(
      resourcesOf(template, 'AWS::ApiGatewayV2::Integration').map(([id, i]) => [
        id,
        i.Properties.IntegrationUri,
      ]),
    );
    for (const route of ALL_ROUTES) {
      const target = routes.find((r) => r.RouteKey === routeKey(route))?.Target as {
        'Fn::Join': [string, string[]];
      };
      const integrationId = (target['Fn::Join'][1][1] as unknown as { Ref: string }).Ref;
      const fn = route.function === 'api' ? stack.functions.api : stack.functions.webhook;
      expect(integrations[integrationId]).toEqual(resolved(stack, fn.function.functionArn));
    }
  });

  it('throttles the stage and writes JSON access logs with the request id', () => {
    const settings = settingsOf(env);
    const { stack, template } = get(env);
    const stages = resourcesOf(template, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.[1].Properties as unknown as StageProperties;
    expect(stage.StageName).toBe('$default');
    expect(stage.AutoDeploy).toBe(true);
    expect(stage.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: settings.apiThrottling.rateLimit,
      ThrottlingBurstLimit: settings.apiThrottling.burstLimit,
    });
    expect(stage.AccessLogSettings.DestinationArn).toEqual({
      'Fn::GetAtt': [logicalId(stack, stack.api.accessLogGroup), 'Arn'],
    });
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(JSON.stringify(format)).not.toMatch(/authorization|header|body/i);
  });

  it('throttles the public routes with limits of their own, after creating them', () => {
    const { routeThrottling } = settingsOf(env);
    const { template } = get(env);
    const stages = resourcesOf(template, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    const [stageId, stage] = stages[0] as [string, { Properties: unknown }];
    const properties = stage.Properties as StageProperties;
    const configured = Object.entries(routeThrottling) as [
      RouteName,
      { rateLimit: number; burstLimit: number },
    ][];
    // Every environment protects checkout from floods on the public routes.
    expect(configured.map(([name]) => name).sort()).toEqual(['listPrices', 'stripeWebhook']);
    expect(properties.RouteSettings).toEqual(
      Object.fromEntries(
        configured.map(([name, throttle]) => [
          routeKey(ROUTES[name]),
          { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
        ]),
      ),
    );
    // A route setting names an existing route, so the stage waits for every route.
    const routeIds = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([id]) => id);
    expect(routeIds).toHaveLength(ALL_ROUTES.length);
    const raw = template.toJSON() as { Resources: Record<string, { DependsOn?: string[] }> };
    expect(raw.Resources[stageId]?.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('keeps the public routes below the stage default', () => {
    const { apiThrottling, routeThrottling } = settingsOf(env);
    for (const name of ['listPrices', 'stripeWebhook'] as const) {
      expect(routeThrottling[name]?.rateLimit).toBeLessThan(apiThrottling.rateLimit);
      expect(routeThrottling[name]?.burstLimit).toBeLessThan(apiThrottling.burstLimit);
    }
  });

  it('outputs the API base URL and the full webhook URL', () => {
    const { stack, template } = get(env);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const apiId = logicalId(stack, stack.api.httpApi);
    expect(outputs.ApiUrl?.Value).toEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
    expect(outputs.WebhookUrl?.Value).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }, ROUTES.stripeWebhook.path]],
    });
  });
});

describe('ServiceApi configuration', () => {
  it('sets no route settings when no route has a throttle of its own', () => {
    const { template } = synthesize('dev', withSettings('dev', { routeThrottling: {} }), {
      bundling: false,
    });
    const stages = resourcesOf(template, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    expect(stages[0]?.[1].Properties.RouteSettings).toBeUndefined();
  });
});
