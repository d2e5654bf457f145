import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { EdgeGuard } from './edge-guard';

/** Runs on the webhook routes before anything reads the body (see EdgeGuard). */
@Injectable()
export class EdgeMiddleware implements NestMiddleware {
  constructor(private readonly guard: EdgeGuard) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const route = req.originalUrl.startsWith('/webhooks/hubspot/workflow') ? 'workflow' : 'app';
    if (this.guard.admit(route, req, res)) next();
  }
}
