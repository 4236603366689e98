/**
 * Turns an OGC process description into the JSON Schema of its `inputs` object
 * (OGC API - Processes 1.0, 7.11.2.4: minOccurs/maxOccurs; several values are given as an array).
 */
import type { JsonSchema, ProcessDescription } from './types.js';

export function inputsSchema(d: ProcessDescription): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, input] of Object.entries(d.inputs)) {
    const min = input.minOccurs ?? 1;
    const max = input.maxOccurs ?? 1;
    const many = max === 'unbounded' || max > 1;
    properties[name] = many
      ? { type: 'array', items: input.schema, minItems: Math.max(min, 1), ...(max === 'unbounded' ? {} : { maxItems: max }) }
      : input.schema;
    if (min > 0) required.push(name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** Schema of the whole execute request body (OGC execute.yaml, the parts we honour). */
export function executeSchema(d: ProcessDescription): JsonSchema {
  return {
    type: 'object',
    properties: {
      inputs: inputsSchema(d),
      outputs: { type: 'object' },
      response: { type: 'string', enum: ['document', 'raw'] },
      mode: { type: 'string', enum: ['sync', 'async', 'auto'] },
      subscriber: { type: 'object' },
    },
    required: ['inputs'],
  };
}
