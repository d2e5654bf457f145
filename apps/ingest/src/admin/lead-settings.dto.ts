import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy, ValidateNested, type ValidationOptions } from 'class-validator';
import type { LeadRoutingSettings } from '@app/common';

const PERSONAS = ['decision_maker', 'influencer', 'practitioner', 'researcher', 'unknown'];
const OWNER_ID = /^\d{1,20}$/;
const OWNER_MESSAGE = 'must be a HubSpot owner id (digits)';

export class LeadRoutingRuleDto {
  @IsOptional() @IsInt() @Min(0) @Max(100)
  minScore?: number;

  @IsOptional() @IsIn(PERSONAS, { message: `persona must be one of ${PERSONAS.join(', ')}` })
  persona?: string;

  @IsString() @Matches(OWNER_ID, { message: `ownerId ${OWNER_MESSAGE}` })
  ownerId: string;
}

/** `leadRouting`: who follows up a new lead and how soon (Lead AI); first matching rule wins. */
export class LeadRoutingDto implements LeadRoutingSettings {
  @IsOptional() @IsString() @Matches(OWNER_ID, { message: `defaultOwnerId ${OWNER_MESSAGE}` })
  defaultOwnerId?: string;

  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => LeadRoutingRuleDto)
  rules?: LeadRoutingRuleDto[];

  @IsOptional() @IsInt({ message: 'followUpHours must be a whole number of hours' }) @Min(1) @Max(24 * 30)
  followUpHours?: number;
}

/** `privacy`: CRM fields never sent to the model for this portal. */
export class PrivacyDto {
  @IsArray() @ArrayMaxSize(200) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(100, { each: true })
  forbiddenFields: string[];
}

/** `promptVersions`: `{ "lead-scoring": 1 }`, prompt id to a version (a positive integer). */
export function IsPromptPins(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPromptPins',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).length <= 50 &&
          Object.entries(value).every(([id, version]) => /^[a-z0-9-]{1,64}$/.test(id) && Number.isInteger(version) && (version as number) >= 1),
        defaultMessage: () => 'promptVersions must map prompt ids to versions, like { "lead-scoring": 1 }',
      },
    },
    options,
  );
}
