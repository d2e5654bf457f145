import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import * as fc from 'fast-check';
import { generateFromSchema, vocabulary } from './schema-value.generator';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

const LEAD_SCORE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['score', 'tier', 'reasons', 'next_action', 'confidence'],
  properties: {
    score: { type: 'integer', minimum: 0, maximum: 100 },
    tier: { type: 'string', enum: ['hot', 'warm', 'cold', 'disqualified'] },
    reasons: { type: 'array', minItems: 1, maxItems: 3, items: { type: 'string', minLength: 5, maxLength: 120 } },
    next_action: { $ref: '#/$defs/action' },
    confidence: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    follow_up_at: { type: ['string', 'null'], format: 'date-time' },
    contact_email: { type: 'string', format: 'email' },
    tags: { type: 'array', uniqueItems: true, maxItems: 4, items: { enum: ['a', 'b', 'c', 'd'] } },
    note: { anyOf: [{ type: 'null' }, { type: 'string', maxLength: 10 }] },
    version: { const: 2 },
    weight: { type: 'integer', minimum: 10, maximum: 100, multipleOf: 5 },
  },
  $defs: {
    action: {
      type: 'object',
      required: ['kind'],
      properties: {
        kind: { enum: ['call', 'email', 'nurture'] },
        due_in_days: { type: 'integer', minimum: 1, maximum: 14 },
      },
    },
  },
};

describe('generateFromSchema', () => {
  const validate = ajv.compile(LEAD_SCORE_SCHEMA);

  it('produces a value that validates, with every property filled', () => {
    const value = generateFromSchema(LEAD_SCORE_SCHEMA, 'seed-1', { words: vocabulary('Jane Doe, CTO at Acme, asked for pricing twice') });
    expect(validate(value)).toBe(true);
    expect(Object.keys(value as object).sort()).toEqual(Object.keys(LEAD_SCORE_SCHEMA.properties).sort());
  });

  it('is deterministic for a seed', () => {
    expect(generateFromSchema(LEAD_SCORE_SCHEMA, 'same')).toEqual(generateFromSchema(LEAD_SCORE_SCHEMA, 'same'));
    const values = new Set(Array.from({ length: 20 }, (_, i) => JSON.stringify(generateFromSchema(LEAD_SCORE_SCHEMA, `seed-${i}`))));
    expect(values.size).toBeGreaterThan(1);
  });

  it('validates for any seed and vocabulary (property-based)', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.stringMatching(/^[a-z0-9]{0,25}$/)), (seed, words) => {
        const value = generateFromSchema(LEAD_SCORE_SCHEMA, seed, { words });
        if (!validate(value)) throw new Error(JSON.stringify({ value, errors: validate.errors }));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    [{ type: 'object', properties: { n: { type: 'number', minimum: -5, maximum: -4.5 } }, required: ['n'] }],
    [{ type: 'object', properties: { s: { type: 'string', minLength: 200 } }, required: ['s'] }],
    [{ type: 'object', properties: { s: { type: 'string', maxLength: 0 } }, required: ['s'] }],
    [{ type: 'object', properties: { d: { type: 'string', format: 'date' }, u: { type: 'string', format: 'uuid' }, w: { type: 'string', format: 'uri' } } }],
    [{ type: 'object', properties: { code: { type: 'string', pattern: '^[a-z]+$' } }, required: ['code'] }],
    [{ type: 'object', properties: { t: { type: 'array', prefixItems: [{ type: 'integer' }, { type: 'boolean' }], minItems: 2 } } }],
    [{ type: 'object', properties: { all: { allOf: [{ type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] }, { properties: { b: { type: 'boolean' } }, required: ['b'] }] } } }],
    [{ type: 'object', properties: { one: { oneOf: [{ type: 'integer', minimum: 3 }, { type: 'string', maxLength: 2 }] } } }],
    [{ type: 'object', additionalProperties: { type: 'integer' }, minProperties: 2 }],
    [{ type: 'object', properties: { tree: { $ref: '#/$defs/node' } }, $defs: { node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/node' } } } } } }],
  ])('handles %j', (schema) => {
    const check = ajv.compile(schema);
    for (let i = 0; i < 25; i += 1) {
      const value = generateFromSchema(schema, `s${i}`);
      if (!check(value)) throw new Error(JSON.stringify({ value, errors: check.errors }));
    }
  });
});
