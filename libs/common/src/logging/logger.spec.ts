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
});
