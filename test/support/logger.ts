import { Logger } from '@app/common';

/** A logger that keeps lines in memory: tests stay quiet and can assert on logs. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: new Logger('debug', { service: 'test' }, (line) => lines.push(line)), lines };
}
