import { Logger } from './logger';

describe('Logger', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, logger: new Logger('info', { service: 'test' }, (line) => lines.push(line)) };
  };

  it('writes one JSON line with the context fields of its children', () => {
    const { lines, logger } = capture();
    logger.child({ correlationId: 'c-1', portalId: 7 }).info('decided', { score: 80 });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'decided', service: 'test', correlationId: 'c-1', portalId: 7, score: 80 });
  });

  it('never writes a value under a secret-looking key, at any depth', () => {
    const { lines, logger } = capture();
    logger.info('request', { headers: { authorization: 'Bearer pat-123' }, accessToken: 'pat-456', nested: [{ clientSecret: 's3cr3t', apiKey: 'k' }], missingToken: undefined });
    expect(lines[0]).not.toMatch(/pat-123|pat-456|s3cr3t|"k"/);
    expect(JSON.parse(lines[0]!).missingToken).toBeUndefined();
  });

  it('drops lines below its level', () => {
    const { lines, logger } = capture();
    logger.debug('noise');
    expect(lines).toEqual([]);
  });

  it("keeps an error's stack, code and cause, and still redacts secrets inside them", () => {
    const { lines, logger } = capture();
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', config: { accessToken: 'pat-789' } });
    logger.error('call failed', { error: new Error('HubSpot did not answer', { cause }) });
    const line = JSON.parse(lines[0]!);
    expect(line.error).toMatchObject({ name: 'Error', message: 'HubSpot did not answer', cause: { message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' } });
    expect(line.error.stack).toMatch(/^Error: HubSpot did not answer\n\s+at .*logger\.spec\.ts/);
    expect(line.error.cause.stack).toContain('connect ECONNREFUSED');
    expect(lines[0]).not.toContain('pat-789');
  });
});
