import { ArrayMaxSize, IsArray, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { isPlainObject, promptPinProblems, settingsProblems, type AiLimitsSettings, type CapabilitySettings } from '@app/common';

/**
 * A capability's settings (`leadRouting`, `serviceRouting`, …), checked by their one
 * definition in libs/common (docs/decisions/0022), the same the enricher reads: every
 * problem in one message, each naming where it is (`leadRouting.rules[0].persona must
 * be one of …`).
 */
export function IsCapabilitySettings(settings: CapabilitySettings, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCapabilitySettings',
      constraints: [settings.key],
      validator: {
        validate: (value: unknown) => settingsProblems(settings, value).length === 0,
        defaultMessage: (args) => settingsProblems(settings, args?.value).join('; '),
      },
    },
    options,
  );
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

/**
 * `promptVersions`: `{ "lead-scoring": 1 }`, a prompt id to one of its versions: the
 * prompts and versions the capabilities have (libs/common's capability-settings.ts,
 * which the enricher's registry is checked against).
 */
export function IsPromptPins(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isPromptPins',
      validator: {
        validate: (value: unknown) => promptPinProblems(value).length === 0,
        defaultMessage: (args) => promptPinProblems(args?.value).join('; '),
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
