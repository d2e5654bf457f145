import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy, ValidateNested, type ValidationOptions } from 'class-validator';
import { isPlainObject, TICKET_CATEGORIES, TICKET_PRIORITIES, type AiLimitsSettings, type LeadRoutingSettings, type ServiceRoutingSettings, type TicketCategory, type TicketPriority } from '@app/common';

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

const PRIORITY_MESSAGE = `must be one of ${TICKET_PRIORITIES.join(', ')}`;

export class ServiceRoutingRuleDto {
  @IsOptional() @IsIn(TICKET_CATEGORIES, { message: `category must be one of ${TICKET_CATEGORIES.join(', ')}` })
  category?: TicketCategory;

  @IsOptional() @IsIn(TICKET_PRIORITIES, { message: `minPriority ${PRIORITY_MESSAGE}` })
  minPriority?: TicketPriority;

  @IsOptional() @IsString() @Matches(OWNER_ID, { message: `ownerId ${OWNER_MESSAGE}` })
  ownerId?: string;

  @IsOptional() @IsString() @Matches(OWNER_ID, { message: 'teamId must be a HubSpot team id (digits)' })
  teamId?: string;
}

const SLA_MESSAGE = { message: 'slaHours values must be numbers of hours between 0.25 and 720' };

/** Hours to respond by priority; a priority not named uses the default. */
export class SlaHoursDto {
  @IsOptional() @IsNumber({}, SLA_MESSAGE) @Min(0.25, SLA_MESSAGE) @Max(720, SLA_MESSAGE)
  URGENT?: number;

  @IsOptional() @IsNumber({}, SLA_MESSAGE) @Min(0.25, SLA_MESSAGE) @Max(720, SLA_MESSAGE)
  HIGH?: number;

  @IsOptional() @IsNumber({}, SLA_MESSAGE) @Min(0.25, SLA_MESSAGE) @Max(720, SLA_MESSAGE)
  MEDIUM?: number;

  @IsOptional() @IsNumber({}, SLA_MESSAGE) @Min(0.25, SLA_MESSAGE) @Max(720, SLA_MESSAGE)
  LOW?: number;
}

/** `serviceRouting`: who handles a triaged ticket and how soon (Service AI); first matching rule wins. */
export class ServiceRoutingDto implements ServiceRoutingSettings {
  @IsOptional() @IsString() @Matches(OWNER_ID, { message: `defaultOwnerId ${OWNER_MESSAGE}` })
  defaultOwnerId?: string;

  @IsOptional() @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => ServiceRoutingRuleDto)
  rules?: ServiceRoutingRuleDto[];

  @IsOptional() @IsObject({ message: 'slaHours must be an object like { "URGENT": 1, "HIGH": 4 }' }) @ValidateNested() @Type(() => SlaHoursDto)
  slaHours?: SlaHoursDto;
}

/** `privacy`: CRM fields never sent to the model for this portal. */
export class PrivacyDto {
  @IsArray() @ArrayMaxSize(200) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(100, { each: true })
  forbiddenFields: string[];
}

const CHANGE_CAP_MESSAGE = { message: 'changeDecisionsPerRecordPerDay must be a whole number from 0 to 1000 (0: changes never re-decide a record)' };

/** `aiLimits`: caps on what the AI may spend on this portal. */
export class AiLimitsDto implements AiLimitsSettings {
  @IsOptional() @IsInt(CHANGE_CAP_MESSAGE) @Min(0, CHANGE_CAP_MESSAGE) @Max(1000, CHANGE_CAP_MESSAGE)
  changeDecisionsPerRecordPerDay?: number;
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

const LABEL_SOURCES = ['notes', 'tasks'];
const LABEL_TARGETS = ['contacts', 'companies', 'deals', 'tickets'];

/**
 * `associationLabels`: `{ "notes": { "contacts": "AI insight" } }`, the portal's own
 * association label (by name) for the AI's notes or tasks on a type of record.
 */
export function IsAssociationLabels(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAssociationLabels',
      validator: {
        validate: (value: unknown) =>
          isPlainObject(value) &&
          Object.entries(value).every(
            ([from, targets]) =>
              LABEL_SOURCES.includes(from) &&
              isPlainObject(targets) &&
              Object.entries(targets).every(([to, label]) => LABEL_TARGETS.includes(to) && typeof label === 'string' && label.trim() !== '' && label.length <= 100),
          ),
        defaultMessage: () => `associationLabels must map ${LABEL_SOURCES.join(' or ')} to { ${LABEL_TARGETS.join(' | ')}: "label name" }, like { "notes": { "contacts": "AI insight" } }`,
      },
    },
    options,
  );
}
