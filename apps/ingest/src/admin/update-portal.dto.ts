import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PORTAL_STATUSES, type PortalStatus } from '@app/common';

export class UpdatePortalDto {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200)
  name?: string;

  @IsOptional() @IsIn(PORTAL_STATUSES)
  status?: PortalStatus;

  /** Subscription types to process, e.g. ["contact.creation", "ticket.creation"]. */
  @IsOptional() @IsArray() @ArrayMaxSize(100)
  @Matches(/^[a-z]+\.[a-zA-Z]+$/, { each: true, message: 'each enabled subscription must look like contact.creation' })
  enabledSubscriptions?: string[];

  /** The key this portal's workflow webhook actions send in X-HubSpot-AI-Key; stored only as a hash. */
  @IsOptional() @IsString() @MinLength(24, { message: 'workflowApiKey must be at least 24 characters' }) @MaxLength(256)
  workflowApiKey?: string;
}
