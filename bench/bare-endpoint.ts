import 'reflect-metadata';
import { Controller, Module, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request, Response } from 'express';
import { readRawBody } from '../apps/ingest/src/webhooks/raw-body';

/**
 * The baseline for bench:ingest: the same HTTP stack as ingest (Nest on Express,
 * raw body read the same way) that only parses the JSON and answers 200.
 */
@Controller('webhooks/hubspot')
class BareController {
  @Post()
  async receive(@Req() req: Request, @Res() res: Response): Promise<void> {
    const events = JSON.parse((await readRawBody(req)).toString('utf8')) as unknown[];
    res.status(200).json({ received: events.length });
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(BareModule, { bodyParser: false, logger: false });
  await app.listen(Number(process.env.PORT ?? 3999), '127.0.0.1');
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
