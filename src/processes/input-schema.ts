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
      outputs: {
        type: 'object',
        description: 'Outputs to return (absent: all); a file goes by reference, a value by value unless transmissionMode says otherwise.',
        properties: Object.fromEntries(
          Object.keys(d.outputs).map((id) => [
            id,
            {
              type: 'object',
              properties: { transmissionMode: { type: 'string', enum: ['value', 'reference'] }, format: { type: 'object', properties: { mediaType: { type: 'string' } } } },
            },
          ]),
        ),
        additionalProperties: false,
      },
      response: { type: 'string', enum: ['document', 'raw'], description: 'Absent: raw when one output is returned by value synchronously, else document.' },
      mode: { type: 'string', enum: ['sync', 'async', 'auto'] },
      subscriber: {
        type: 'object',
        description: 'URLs POSTed when the job succeeds (results document), fails or runs (statusInfo).',
        properties: Object.fromEntries(['successUri', 'inProgressUri', 'failedUri'].map((k) => [k, { type: 'string', format: 'uri', maxLength: 2048 }])),
        minProperties: 1,
        additionalProperties: false,
      },
    },
    required: ['inputs'],
  };
}
