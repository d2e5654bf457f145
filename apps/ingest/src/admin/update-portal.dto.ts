import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { PORTAL_STATUSES, type PortalStatus } from '@app/common';
import { PortalSettingsDto } from './register-portal.dto';

export class UpdatePortalDto extends PortalSettingsDto {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200)
  name?: string;

  /** Setting "active" again does not clear the portal's alerts: send clearAlerts for that. */
  @IsOptional() @IsIn(PORTAL_STATUSES)
  status?: PortalStatus;

  /** Subscription types to process, e.g. ["contact.creation", "ticket.creation"]. */
  @IsOptional() @IsArray() @ArrayMaxSize(100)
  @Matches(/^[a-z]+\.[a-zA-Z]+$/, { each: true, message: 'each enabled subscription must look like contact.creation' })
  enabledSubscriptions?: string[];

  /** The key this portal's workflow webhook actions send in X-HubSpot-AI-Key; stored only as a hash. */
  @IsOptional() @IsString() @MinLength(24, { message: 'workflowApiKey must be at least 24 characters' }) @MaxLength(256)
  workflowApiKey?: string;

  /** A new private-app or OAuth token (after a revocation or rotation); stored encrypted, never returned. */
  @IsOptional() @IsString() @MinLength(1, { message: 'accessToken must not be empty' }) @MaxLength(4096)
  accessToken?: string;

  /** A private app's own client secret, sent with its accessToken (its webhooks are verified with it); stored encrypted, never returned. */
  @IsOptional() @IsString() @MinLength(16, { message: "clientSecret must be the app's client secret (at least 16 characters)" }) @MaxLength(512)
  clientSecret?: string;

  /** true: the operator fixed what the portal's alerts report; removes them all. */
  @IsOptional() @IsBoolean({ message: 'clearAlerts must be true or false' })
  clearAlerts?: boolean;
}
