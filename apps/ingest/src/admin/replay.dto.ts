import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, Min, ValidateIf } from 'class-validator';

export const DEFAULT_REPLAY_LIMIT = 100;
export const MAX_REPLAY_LIMIT = 1000;

/** POST /admin/portals/:portalId/replays */
export class RequestReplayDto {
  @IsString() @Matches(/^[a-z][a-z0-9-]{0,63}$/, { message: 'promptId must be a prompt id such as lead-scoring or ticket-triage' })
  promptId: string;

  @IsInt({ message: 'promptVersion must be a positive whole number' }) @Min(1, { message: 'promptVersion must be a positive whole number' })
  promptVersion: number;

  /** Decisions recorded at or after this instant (default: the oldest). */
  @IsOptional() @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time, e.g. 2026-11-28T08:00:00Z' })
  from?: string;

  /** Decisions recorded before this instant (default: the request's time, so live traffic never extends a replay). */
  @IsOptional() @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time, e.g. 2026-11-29T08:00:00Z' })
  to?: string;

  /** At most this many decisions, oldest first (each may be a paid model call). */
  @IsOptional()
  @IsInt({ message: `limit must be a whole number from 1 to ${MAX_REPLAY_LIMIT}` })
  @Min(1, { message: `limit must be a whole number from 1 to ${MAX_REPLAY_LIMIT}` })
  @Max(MAX_REPLAY_LIMIT, { message: `limit must be a whole number from 1 to ${MAX_REPLAY_LIMIT}` })
  limit?: number;

  /** true: ask the model even where an answer to the very same input is recorded. */
  @IsOptional() @IsBoolean({ message: 'forceModelCall must be true or false' })
  forceModelCall?: boolean;
}

/** POST /admin/portals/:portalId/replays/:replayId/apply */
export class ApplyReplayDto {
  /** Original decision ids to apply; absent = every decision the replay answered differently. */
  // Not IsOptional: that would take null for absent and apply everything.
  @ValidateIf((dto: ApplyReplayDto) => dto.decisionIds !== undefined)
  @IsArray({ message: 'decisionIds must be a list of decision ids; leave it out to apply every changed decision' })
  @ArrayMinSize(1, { message: 'decisionIds must name at least one decision; leave it out to apply every changed decision' })
  @ArrayMaxSize(MAX_REPLAY_LIMIT)
  @IsUUID('all', { each: true, message: 'decisionIds must be decision ids (UUIDs)' })
  decisionIds?: string[];
}
