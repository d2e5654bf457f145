type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const CONTENT_TYPES = new Set(['text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'search_result']);

/**
 * Checks a `POST /v1/messages` body the way the API does, returning the `invalid_request_error` message
 * (field path first, as the API words them) or null when valid. `forCountTokens` skips `max_tokens`.
 */
export function validateMessageRequest(body: unknown, forCountTokens = false): string | null {
  if (!isObj(body)) return 'Input should be a valid dictionary or object to extract fields from';
  if (body.model === undefined) return 'model: Field required';
  if (typeof body.model !== 'string' || body.model === '') return 'model: Input should be a valid string';
  if (!forCountTokens) {
    if (body.max_tokens === undefined) return 'max_tokens: Field required';
    if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens)) return 'max_tokens: Input should be a valid integer';
    if (body.max_tokens < 1) return 'max_tokens: Input should be greater than or equal to 1';
  }
  if (body.messages === undefined) return 'messages: Field required';
  if (!Array.isArray(body.messages)) return 'messages: Input should be a valid list';
  if (body.messages.length === 0) return 'messages: at least one message is required';
  const systemError = validateSystem(body.system);
  if (systemError) return systemError;
  const messagesError = validateMessages(body.messages);
  if (messagesError) return messagesError;
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) {
    return 'temperature: Input should be less than or equal to 1';
  }
  if (body.stop_sequences !== undefined && !(Array.isArray(body.stop_sequences) && body.stop_sequences.every((s) => typeof s === 'string'))) {
    return 'stop_sequences: Input should be a valid list of strings';
  }
  const toolsError = validateTools(body.tools, body.tool_choice);
  if (toolsError) return toolsError;
  const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
  const toolBlocks = body.messages.some((m) => isObj(m) && contentBlocks(m.content).some((b) => b.type === 'tool_use' || b.type === 'tool_result'));
  if (toolBlocks && !hasTools) return 'Requests which include `tool_use` or `tool_result` blocks must define tools.';
  return null;
}

function validateSystem(system: unknown): string | null {
  if (system === undefined || typeof system === 'string') return null;
  if (!Array.isArray(system)) return 'system: Input should be a valid string or a list of text blocks';
  for (const [i, block] of system.entries()) {
    if (!isObj(block) || block.type !== 'text' || typeof block.text !== 'string') return `system.${i}: Input should be a text block`;
    if (block.text === '') return `system.${i}.text: text content blocks must be non-empty`;
  }
  return null;
}

function contentBlocks(content: unknown): Obj[] {
  return Array.isArray(content) ? content.filter(isObj) : [];
}

function validateMessages(messages: unknown[]): string | null {
  for (const [i, message] of messages.entries()) {
    if (!isObj(message)) return `messages.${i}: Input should be a valid dictionary`;
    if (message.role !== 'user' && message.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (message.content === undefined) return `messages.${i}.content: Field required`;
    if (typeof message.content === 'string') {
      if (message.content === '' && i < messages.length - 1) return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
      continue;
    }
    if (!Array.isArray(message.content)) return `messages.${i}.content: Input should be a valid string or list`;
    for (const [j, block] of message.content.entries()) {
      if (!isObj(block) || typeof block.type !== 'string') return `messages.${i}.content.${j}: Input should be a valid content block`;
      if (!CONTENT_TYPES.has(block.type)) return `messages.${i}.content.${j}.type: Input tag '${block.type}' found using 'type' does not match any of the expected tags`;
      if (block.type === 'text' && (typeof block.text !== 'string' || block.text === '')) return `messages.${i}.content.${j}.text: text content blocks must be non-empty`;
      if (block.type === 'tool_use' && message.role !== 'assistant') return `messages.${i}.content.${j}: tool_use blocks are only allowed in assistant messages`;
      if (block.type === 'tool_result' && message.role !== 'user') return `messages.${i}.content.${j}: tool_result blocks are only allowed in user messages`;
    }
  }
  // Every tool_use must be answered by a tool_result in the very next message, and vice versa.
  for (const [i, message] of messages.entries()) {
    const m = message as Obj;
    const uses = contentBlocks(m.content).filter((b) => b.type === 'tool_use').map((b) => String(b.id));
    const next = messages[i + 1] as Obj | undefined;
    const results = new Set(contentBlocks(next?.content).filter((b) => b.type === 'tool_result').map((b) => String(b.tool_use_id)));
    const unanswered = uses.filter((id) => !results.has(id));
    if (uses.length > 0 && next !== undefined && unanswered.length > 0) {
      return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
    const previous = i > 0 ? (messages[i - 1] as Obj) : undefined;
    const previousUses = new Set(contentBlocks(previous?.content).filter((b) => b.type === 'tool_use').map((b) => String(b.id)));
    for (const [j, block] of contentBlocks(m.content).entries()) {
      if (block.type === 'tool_result' && !previousUses.has(String(block.tool_use_id))) {
        return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
  }
  return null;
}

function validateTools(tools: unknown, toolChoice: unknown): string | null {
  const names: string[] = [];
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
    for (const [i, tool] of tools.entries()) {
      if (!isObj(tool)) return `tools.${i}: Input should be a valid dictionary`;
      if (typeof tool.type === 'string' && tool.type !== 'custom') {
        names.push(String(tool.name ?? tool.type));
        continue;
      }
      if (typeof tool.name !== 'string') return `tools.${i}.custom.name: Field required`;
      if (!TOOL_NAME.test(tool.name)) return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
      if (tool.input_schema === undefined) return `tools.${i}.custom.input_schema: Field required`;
      if (!isObj(tool.input_schema) || tool.input_schema.type !== 'object') return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
      if (names.includes(tool.name)) return `tools: Tool names must be unique.`;
      names.push(tool.name);
    }
  }
  if (toolChoice === undefined) return null;
  if (!isObj(toolChoice)) return 'tool_choice: Input should be a valid dictionary';
  const type = toolChoice.type;
  if (type !== 'auto' && type !== 'any' && type !== 'tool' && type !== 'none') {
    return `tool_choice: Input tag '${String(type)}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'`;
  }
  if ((type === 'any' || type === 'tool') && names.length === 0) return 'tool_choice: tool_choice may only be specified while providing tools.';
  if (type === 'tool') {
    if (typeof toolChoice.name !== 'string') return 'tool_choice.tool.name: Field required';
    if (!names.includes(toolChoice.name)) return `tool_choice: Tool '${toolChoice.name}' not found in the provided tools`;
  }
  return null;
}
