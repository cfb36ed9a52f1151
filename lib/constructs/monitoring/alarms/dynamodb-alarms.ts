import type { TableDefinition } from '../../../../lambda/shared/tables';
import type { ServiceTables } from '../../service-tables';
import { ALARM_PERIOD, type AlarmFactory, ON_ANY_OCCURRENCE } from '../alarm-factory';
import { tableTroubleMetric } from '../dynamodb-metrics';

/** Each owned table: DynamoDB throttled or failed a request on it. */
export function defineDynamoDbAlarms(alarms: AlarmFactory, tables: ServiceTables): void {
  for (const { table, definition } of tables.owned) {
    alarms.define(`${pascalCase(definition.nameSuffix)}TableTrouble`, {
      name: `${definitionName(definition)}-table-throttled-or-failing`,
      description: `DynamoDB throttled or failed requests on ${definition.nameSuffix} (read/write throttle events, SystemErrors): the requests behind them failed with 5xx or were retried.`,
      metric: tableTroubleMetric(table.tableName, definition, ALARM_PERIOD),
      ...ON_ANY_OCCURRENCE,
    });
  }
}

const pascalCase = (text: string): string =>
  text
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
/** `stripe-customers` → `customers`: the alarm names already say `stripe`. */
const definitionName = (definition: TableDefinition): string =>
  definition.nameSuffix.replace(/^stripe-/, '');
