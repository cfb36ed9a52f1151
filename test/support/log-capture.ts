import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogAttributes } from '@aws-lambda-powertools/logger/types';

/**
 * A Powertools logger that keeps its lines instead of printing them, through the two
 * extension points Powertools documents for subclasses: `printLog` (where a formatted
 * line goes) and `createLogger` (what `createChild()` builds). Children share the parent's
 * lines, so a test reads what every instance built from one base logger wrote, in order,
 * already formatted as Powertools would print them (`function_request_id`, appended keys).
 */
export class CapturingLogger extends Logger {
  private readonly captured: LogAttributes[];

  constructor(options: ConstructorOptions = {}, lines: LogAttributes[] = []) {
    super({ serviceName: 'test', logLevel: 'DEBUG', ...options });
    this.captured = lines;
  }

  get lines(): readonly LogAttributes[] {
    return this.captured;
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new CapturingLogger(options, this.captured);
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.captured.push(log.getAttributes());
  }
}
