import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { CRM_OBJECT_TYPES, MAX_PERSONAL_DATA_DAYS, type CrmObjectType } from '@app/common';

const RETENTION_MESSAGE = { message: `retention.personalDataDays must be an integer from 1 to ${MAX_PERSONAL_DATA_DAYS} (days a day's personal data stays readable; default 365)` };

/** `settings.retention`: how long the portal's personal data stays readable in the event store (docs/decisions/0019). */
export class RetentionDto {
  @IsOptional() @IsInt(RETENTION_MESSAGE) @Min(1, RETENTION_MESSAGE) @Max(MAX_PERSONAL_DATA_DAYS, RETENTION_MESSAGE)
  personalDataDays?: number;
}

/** The records whose personal data can be erased: people, and the records that quote them. */
export const ERASABLE_OBJECT_TYPES: ReadonlyArray<CrmObjectType> = CRM_OBJECT_TYPES.filter((t) => ['contacts', 'tickets', 'companies', 'deals'].includes(t));

/**
 * POST /admin/portals/:portalId/erasures: one CRM record whose personal data is
 * erased everywhere the platform keeps it. By id only: the platform keeps emails
 * and names only sealed, so it cannot look a person up by them (find the contact's
 * id in HubSpot first).
 */
export class ErasureRequestDto {
  @IsIn(ERASABLE_OBJECT_TYPES, { message: `objectType must be one of ${ERASABLE_OBJECT_TYPES.join(', ')}` })
  objectType: CrmObjectType;

  @IsString({ message: 'objectId must be the HubSpot record id, as a string of digits' })
  @Matches(/^[1-9]\d{0,19}$/, { message: 'objectId must be the HubSpot record id, as a string of digits' })
  objectId: string;
}
