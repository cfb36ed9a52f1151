import type { ServiceFunction } from '../../lib/constructs/service-function';
import { logicalId, resolved, resourcesOf, type Synthesized } from './synth';

/**
 * Every (action, resource, condition) a function's role may do, resolved to template form.
 * The condition is part of each entry: a conditional grant is not the unconditional one.
 * Every statement must allow (the roles deny nothing).
 */
export function permissions({ stack, template }: Synthesized, fn: ServiceFunction): Set<string> {
  const roleId = logicalId(stack, fn.role);
  const pairs = new Set<string>();
  for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
    const roles = policy.Properties.Roles as { Ref: string }[];
    if (!roles.some((role) => role.Ref === roleId)) continue;
    const document = policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] };
    for (const statement of document.Statement) {
      expect(statement.Effect).toBe('Allow');
      const actions = [statement.Action].flat() as string[];
      const resources = [statement.Resource].flat();
      for (const action of actions)
        for (const resource of resources)
          pairs.add(permission(action, resource, statement.Condition));
    }
  }
  return pairs;
}

/** One entry of `permissions`: the action on the resource (template form), if the condition. */
export const permission = (action: string, resource: unknown, condition: unknown): string =>
  `${action} ${JSON.stringify(resource)}${condition === undefined ? '' : ` if ${JSON.stringify(condition)}`}`;

export type Grant = [actions: string[], resources: unknown[], conditions?: Record<string, unknown>];

/** The `permissions` entries of the grants, their resources given as tokens. */
export const expected = (s: Synthesized, grants: Grant[]): Set<string> =>
  new Set(
    grants.flatMap(([actions, resources, conditions]) =>
      actions.flatMap((action) =>
        resources.map((resource) => permission(action, resolved(s.stack, resource), conditions)),
      ),
    ),
  );
