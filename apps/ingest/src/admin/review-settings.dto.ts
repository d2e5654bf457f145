import { IsOptional, Matches, ValidateBy, type ValidationOptions } from 'class-validator';
import { DEFAULT_STALE_AFTER_DAYS, isKnownTimeZone, MAX_STALE_AFTER_DAYS, TIME_OF_DAY, type ReviewSettings } from '@app/common';

/** The zone must be one this runtime's Intl knows (checked with Intl.DateTimeFormat), else the scheduler could not honour it. */
function IsKnownTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isKnownTimeZone',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.length <= 64 && isKnownTimeZone(value),
        defaultMessage: (args) => `timeZone ${JSON.stringify(args?.value)} is not a time zone this server knows: use an IANA name like "Europe/Berlin" or "US/Eastern"`,
      },
    },
    options,
  );
}

const STALE_AFTER_DAYS = `staleAfterDays must be a whole number of days from 1 to ${MAX_STALE_AFTER_DAYS} (default ${DEFAULT_STALE_AFTER_DAYS})`;

/**
 * `settings.review`: when the portal's daily review runs, and after how many days
 * without activity a deal needs attention. All optional: the time defaults to
 * SCHEDULER_DAILY_AT, the zone to the one HubSpot reported at onboarding
 * (`account.timeZone`), the days to DEFAULT_STALE_AFTER_DAYS. PATCH replaces the stored object.
 */
export class ReviewSettingsDto implements ReviewSettings {
  @IsOptional() @Matches(TIME_OF_DAY, { message: 'dailyAt must be HH:MM (00:00 to 23:59), the portal\'s local time' })
  dailyAt?: string;

  @IsOptional() @IsKnownTimeZone()
  timeZone?: string;

  @IsOptional()
  @ValidateBy({ name: 'staleAfterDays', validator: { validate: (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_STALE_AFTER_DAYS, defaultMessage: () => STALE_AFTER_DAYS } })
  staleAfterDays?: number;
}
