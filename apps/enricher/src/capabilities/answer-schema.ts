import { z } from 'zod';

/**
 * One definition per answer (docs/decisions/0022): a zod object whose JSON Schema
 * (`z.toJSONSchema`) is what a prompt version sends the model, and whose `safeParse`
 * is how the answer is checked. Written once, so the two cannot drift apart again
 * (they did: the summary's minimum length was checked but never told to the model).
 */
export type AnswerSchema<T extends object = object> = z.ZodType<T>;

export type CheckedAnswer<T> = { ok: true; answer: T } | { ok: false; problems: string[] };

/**
 * The JSON Schema of an answer, as a prompt version's `tool.inputSchema`: draft 2020-12
 * without the `$schema` line (the API takes the schema, not a document), every object
 * closed (`additionalProperties: false`). The structured-output grammar's own subset is
 * made from it when the request is built (toStructuredOutputSchema), as before.
 */
export function answerJsonSchema(schema: z.ZodObject): Record<string, unknown> {
  const { $schema: _draft, ...json } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw' }) as Record<string, unknown>;
  return json;
}

/**
 * The model's answer checked against its definition: the parsed answer (unknown keys
 * dropped: the schema told the model there are none), or one readable problem per
 * issue, named by its field as the repair request shows them to the model.
 */
export function checkAnswer<T extends object>(schema: AnswerSchema<T>, output: unknown): CheckedAnswer<T> {
  if (typeof output !== 'object' || output === null || Array.isArray(output)) return { ok: false, problems: ['the answer must be a JSON object'] };
  const parsed = schema.safeParse(output);
  if (parsed.success) return { ok: true, answer: parsed.data };
  return { ok: false, problems: parsed.error.issues.map(describeIssue) };
}

/** A zod issue in the words the repair prompts used before (class-validator's), e.g. `score must not be greater than 100`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'the answer';
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'int') return `${field} must be an integer number`;
      return issue.message.endsWith('received undefined') ? `${field} is required (${issue.expected})` : `${field} must be a ${issue.expected}`;
    case 'invalid_value':
      return `${field} must be one of the following values: ${issue.values.map(String).join(', ')}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `${field} must be shorter than or equal to ${issue.maximum} characters`
        : issue.origin === 'array'
          ? `${field} must contain no more than ${issue.maximum} elements`
          : `${field} must not be greater than ${issue.maximum}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `${field} must be longer than or equal to ${issue.minimum} characters`
        : issue.origin === 'array'
          ? `${field} must contain at least ${issue.minimum} elements`
          : `${field} must not be less than ${issue.minimum}`;
    default:
      return `${field}: ${issue.message}`;
  }
}
