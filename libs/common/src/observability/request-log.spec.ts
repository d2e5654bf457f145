import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { Logger } from '../logging/logger';
import { pathOf, requestIdOf, requestLog } from './request-log';

describe('request ids and request logs', () => {
  it('keeps a sane X-Request-Id and replaces anything else', () => {
    const generate = () => 'generated';
    expect(requestIdOf('abc-123_x.y:z', generate)).toBe('abc-123_x.y:z');
    expect(requestIdOf(['first', 'second'], generate)).toBe('first');
    for (const bad of [undefined, '', 'has space', 'x'.repeat(129), 'new\nline', '"quoted"', '<script>']) expect(requestIdOf(bad, generate)).toBe('generated');
  });

  it('logs the path without its query (an OAuth code or state never reaches a log)', () => {
    expect(pathOf('/oauth/callback?code=secret-code&state=s')).toBe('/oauth/callback');
  });

  describe('on a server', () => {
    const lines: Array<Record<string, unknown>> = [];
    let server: Server;
    let url: string;

    beforeAll(async () => {
      const log = requestLog(new Logger('info', {}, (line) => lines.push(JSON.parse(line))));
      server = createServer((req, res) => log(req, res, () => res.writeHead(req.url?.startsWith('/boom') ? 500 : 200).end('ok')));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('answers with the request id and logs one line with it, the status and the duration', async () => {
      const given = await fetch(`${url}/webhooks/hubspot?x=1`, { headers: { 'x-request-id': 'lb-42' } });
      const fresh = await fetch(`${url}/boom`);
      expect(given.headers.get('x-request-id')).toBe('lb-42');
      const generated = fresh.headers.get('x-request-id')!;
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      await new Promise((r) => setImmediate(r));
      expect(lines).toEqual([
        expect.objectContaining({ level: 'info', msg: 'http request', requestId: 'lb-42', method: 'GET', path: '/webhooks/hubspot', status: 200, durationMs: expect.any(Number) }),
        expect.objectContaining({ level: 'error', requestId: generated, path: '/boom', status: 500 }),
      ]);
    });
  });
});
