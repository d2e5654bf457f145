import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { BACKFILL_FILTER_OPERATORS, CAPABILITY_NAMES, MAX_BACKFILL_FILTERS, type BackfillFilter, type BackfillFilterOperator, type CapabilityName } from '@app/common';

/** The object types a capability scores (what a backfill can list). */
export const BACKFILL_OBJECT_TYPES = ['contacts', 'tickets'] as const;
export type BackfillObjectType = (typeof BACKFILL_OBJECT_TYPES)[number];
export const MAX_BACKFILL_LIMIT = 100_000;

const LIMIT_MESSAGE = { message: `limit must be a whole number from 1 to ${MAX_BACKFILL_LIMIT}` };

/** One HubSpot CRM search filter, as HubSpot takes it. */
export class BackfillFilterDto implements BackfillFilter {
  @IsString() @Matches(/^[a-z0-9_]{1,100}$/i, { message: 'filter propertyName must be a HubSpot property name (letters, digits, underscores)' })
  propertyName: string;

  @IsIn(BACKFILL_FILTER_OPERATORS, { message: `filter operator must be one of ${BACKFILL_FILTER_OPERATORS.join(', ')}` })
  operator: BackfillFilterOperator;

  @IsOptional() @IsString({ message: 'filter value must be a string (HubSpot compares dates as epoch milliseconds)' }) @MaxLength(1000)
  value?: string;

  /** BETWEEN's upper bound. */
  @IsOptional() @IsString({ message: 'filter highValue must be a string' }) @MaxLength(1000)
  highValue?: string;

  @IsOptional() @IsArray({ message: 'filter values must be a list of strings' }) @ArrayMinSize(1) @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(1000, { each: true })
  values?: string[];
}

/** POST /admin/portals/:portalId/backfills */
export class RequestBackfillDto {
  @IsIn(BACKFILL_OBJECT_TYPES, { message: `objectType must be one of ${BACKFILL_OBJECT_TYPES.join(', ')}` })
  objectType: BackfillObjectType;

  /** Default: the capability that handles the object type. */
  @IsOptional() @IsIn(CAPABILITY_NAMES, { message: `capability must be one of ${CAPABILITY_NAMES.join(', ')}` })
  capability?: CapabilityName;

  /** Only records created at or after this instant. */
  @IsOptional() @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time, e.g. 2026-01-01T00:00:00Z' })
  since?: string;

  @IsOptional()
  @IsArray({ message: 'filter must be a list of HubSpot search filters' })
  @ArrayMaxSize(MAX_BACKFILL_FILTERS, { message: `filter takes at most ${MAX_BACKFILL_FILTERS} filters (HubSpot's six per group, less the backfill's own two)` })
  @ValidateNested({ each: true })
  @Type(() => BackfillFilterDto)
  filter?: BackfillFilterDto[];

  /** At most this many records, lowest ids first. */
  @IsOptional() @IsInt(LIMIT_MESSAGE) @Min(1, LIMIT_MESSAGE) @Max(MAX_BACKFILL_LIMIT, LIMIT_MESSAGE)
  limit?: number;
}

/** What each operator needs besides the property, as HubSpot's search requires it. Pure. */
export function filterProblems(filter: readonly BackfillFilter[]): string[] {
  return filter.flatMap((f, i) => {
    const at = `filter[${i}] (${f.propertyName} ${f.operator})`;
    switch (f.operator) {
      case 'HAS_PROPERTY':
      case 'NOT_HAS_PROPERTY':
        return f.value !== undefined || f.values !== undefined || f.highValue !== undefined ? [`${at} takes no value`] : [];
      case 'IN':
      case 'NOT_IN':
        return f.values === undefined || f.value !== undefined || f.highValue !== undefined ? [`${at} needs values (a list) and nothing else`] : [];
      case 'BETWEEN':
        return f.value === undefined || f.highValue === undefined || f.values !== undefined ? [`${at} needs value and highValue`] : [];
      default:
        return f.value === undefined || f.values !== undefined || f.highValue !== undefined ? [`${at} needs value (one string) and nothing else`] : [];
    }
  });
}
