import { LoggerService } from '@nestjs/common';
import type { LogLevel } from '../../config/app-config';
import { requestContext } from './request-context';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
/** Nest's start-up narration (every module and route, some 80 lines): debug, so the start summary stands out. */
const NARRATION = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** One JSON object per line on stdout (stderr for errors), with the request id when there is one. */
export class JsonLogger implements LoggerService {
  constructor(private readonly level: LogLevel = 'info') {}

  log(message: unknown, context?: string) { this.write(context && NARRATION.has(context) ? 'debug' : 'info', message, context); }
  error(message: unknown, traceOrContext?: string, context?: string) {
    this.write('error', message, context ?? traceOrContext);
  }
  warn(message: unknown, context?: string) { this.write('warn', message, context); }
  debug(message: unknown, context?: string) { this.write('debug', message, context); }
  verbose(message: unknown, context?: string) { this.write('debug', message, context); }

  private write(level: LogLevel, message: unknown, context?: string) {
    if (RANK[level] > RANK[this.level]) return;
    const fields = typeof message === 'object' && message !== null ? message : { msg: String(message) };
    const line = JSON.stringify({ time: new Date().toISOString(), level, context, requestId: requestContext.getStore()?.requestId, ...fields });
    (level === 'error' ? process.stderr : process.stdout).write(line + '\n');
  }
}
