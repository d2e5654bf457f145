import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

// HubSpot's portal and object ids are positive integers; beyond 2^53 a JavaScript
// number silently becomes a neighbouring id, and Postgres' bigint ends at 2^63.
const SAFE_ID = /^[1-9]\d{0,15}$/;

/** A positive integer id JavaScript holds exactly (below 2^53), or undefined. */
export function parseSafeId(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !SAFE_ID.test(raw)) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : undefined;
}

// Param decorators rather than pipes: they read the path segment as received. A pipe
// behind the admin app's ValidationPipe (transform: true) would get it already
// turned into a number: "1e3" as 1000, "0x10" as 16, 2^53 + 1 as 2^53.
function rawParam(context: ExecutionContext, name: string): unknown {
  return context.switchToHttp().getRequest<Request>().params[name];
}

/** `:portalId`, as a number: 400 for anything but a positive integer below 2^53 (NUL bytes, signs, exponents included). */
export const PortalIdParam = createParamDecorator((name: string | undefined, context: ExecutionContext): number => {
  const value = parseSafeId(rawParam(context, name ?? 'portalId'));
  if (value === undefined) throw new BadRequestException('portalId must be a positive whole number below 2^53');
  return value;
});

/** `:objectId`: a HubSpot record id (positive integer below 2^53), kept as the string streams use; 400 otherwise. */
export const ObjectIdParam = createParamDecorator((name: string | undefined, context: ExecutionContext): string => {
  const raw = rawParam(context, name ?? 'objectId');
  if (parseSafeId(raw) === undefined) throw new BadRequestException('objectId must be a HubSpot record id (a positive whole number below 2^53)');
  return raw as string;
});
