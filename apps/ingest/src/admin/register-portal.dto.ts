import { Type } from 'class-transformer';
import { AiLimitsDto, IsAssociationLabels, IsCapabilitySettings, IsPromptPins, PrivacyDto } from './routing-settings.dto';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { capabilitySettings, HUBSPOT_APP_TYPES, HUBSPOT_TIERS, type AssociationLabelSettings, type HubSpotAppType, type HubSpotTier, type PortalHubSpotPlan } from '@app/common';
import { RetentionDto } from './erasure.dto';
import { ReviewSettingsDto } from './review-settings.dto';

/** The portal's HubSpot plan (`settings.hubspot`): sets its API budget. Every field is optional. */
export class HubSpotPlanDto implements PortalHubSpotPlan {
  @IsOptional() @IsIn(HUBSPOT_TIERS, { message: `tier must be one of ${HUBSPOT_TIERS.join(', ')}` })
  tier?: HubSpotTier;

  @IsOptional() @IsIn(HUBSPOT_APP_TYPES, { message: `appType must be one of ${HUBSPOT_APP_TYPES.join(', ')}` })
  appType?: HubSpotAppType;

  @IsOptional() @IsBoolean({ message: 'apiLimitIncrease must be true or false' })
  apiLimitIncrease?: boolean;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'headroom must be a number from 0 to 0.9 (the share left to other integrations)' })
  @Min(0, { message: 'headroom must be a number from 0 to 0.9 (the share left to other integrations)' })
  @Max(0.9, { message: 'headroom must be a number from 0 to 0.9 (the share left to other integrations)' })
  headroom?: number;
}

/** POST and PATCH: the answer when `hubspot` is not an object. */
export const HUBSPOT_PLAN_OBJECT_MESSAGE = 'hubspot must be an object like { "tier": "professional", "appType": "private" }';

/**
 * The settings POST and PATCH both take. PATCH merges `hubspot` into the stored
 * plan and replaces the others. Each capability's own settings (`leadRouting`,
 * `serviceRouting`, …) are added below from their definitions in libs/common.
 */
export class PortalSettingsDto {
  @IsOptional() @IsObject({ message: HUBSPOT_PLAN_OBJECT_MESSAGE }) @ValidateNested() @Type(() => HubSpotPlanDto)
  hubspot?: HubSpotPlanDto;

  /** Prompt versions the portal pins; a prompt not named uses its latest version. */
  @IsOptional() @IsPromptPins()
  promptVersions?: Record<string, number>;

  @IsOptional() @IsObject({ message: 'privacy must be an object like { "forbiddenFields": ["message"] }' }) @ValidateNested() @Type(() => PrivacyDto)
  privacy?: PrivacyDto;

  /** Replaces the stored caps (change decisions per record per day). */
  @IsOptional() @IsObject({ message: 'aiLimits must be an object like { "changeDecisionsPerRecordPerDay": 5 }' }) @ValidateNested() @Type(() => AiLimitsDto)
  aiLimits?: AiLimitsDto;

  /** Replaces the stored association labels for the AI's notes and tasks (resolved through the portal's own labels). */
  @IsOptional() @IsAssociationLabels()
  associationLabels?: AssociationLabelSettings;

  /** How long the portal's personal data stays readable (docs/decisions/0019): { "personalDataDays": 365 }. */
  @IsOptional() @IsObject({ message: 'retention must be an object like { "personalDataDays": 365 }' }) @ValidateNested() @Type(() => RetentionDto)
  retention?: RetentionDto;

  /** When the daily review runs: { "dailyAt": "07:30", "timeZone": "Europe/Berlin" } (defaults: SCHEDULER_DAILY_AT, HubSpot's account time zone). */
  @IsOptional() @IsObject({ message: 'review must be an object like { "dailyAt": "07:30", "timeZone": "Europe/Berlin" }' }) @ValidateNested() @Type(() => ReviewSettingsDto)
  review?: ReviewSettingsDto;
}

// Each capability's settings, optional, checked by the definition the enricher reads too: a new
// capability's settings need its entry in libs/common's CAPABILITY_CONFIGURATION, not a line here.
for (const settings of capabilitySettings()) {
  IsOptional()(PortalSettingsDto.prototype, settings.key);
  IsCapabilitySettings(settings)(PortalSettingsDto.prototype, settings.key);
}

export class RegisterPortalDto extends PortalSettingsDto {
  @IsInt({ message: 'portalId must be an integer (the HubSpot hub id)' })
  @Min(1, { message: 'portalId must be positive' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'portalId must be below 2^53' })
  portalId: number;

  @IsString() @IsNotEmpty() @MaxLength(200)
  name: string;

  /** A static token: a legacy private app's, or a single-account app's. OAuth portals connect through GET /oauth/install. */
  @IsString() @IsNotEmpty({ message: 'accessToken is required (the private app\'s access token; OAuth portals connect through GET /oauth/install)' }) @MaxLength(4096)
  accessToken: string;

  /** The private app's own client secret: this portal's webhooks are verified with it (stored encrypted, never returned). */
  @IsOptional() @IsString() @MinLength(16, { message: 'clientSecret must be the app\'s client secret (at least 16 characters)' }) @MaxLength(512)
  clientSecret?: string;
}

/** A named set of portal settings an install link applies (PUT /admin/settings-templates/:name). */
export class SettingsTemplateDto extends PortalSettingsDto {}
