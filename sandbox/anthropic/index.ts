export { AnthropicDouble } from './anthropic-double';
export type { AnthropicDoubleOptions } from './anthropic-double';
export { generateFromSchema, vocabulary } from './schema-value.generator';
export type * from './anthropic.types';
