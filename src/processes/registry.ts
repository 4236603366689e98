/**
 * The processes this node offers: their descriptions, compiled input validators, and execute
 * functions. Built once at start-up from the processor families (and SUBSETD_PLUGINS), in the
 * API thread and in every worker thread alike.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { formatsAjv } from './ajv.js';
import { inputsSchema } from './input-schema.js';
import { InputError, type Process, type ProcessorFamily, type ValidateEnv } from './types.js';

interface Entry {
  process: Process;
  validate: ValidateFunction;
}

export class ProcessRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(families: ProcessorFamily[]) {
    const ajv = formatsAjv({ allErrors: false, strict: false, useDefaults: true, coerceTypes: false });
    for (const fam of families) {
      for (const p of fam.processes) {
        const id = p.description.id;
        if (this.entries.has(id)) throw new Error(`process "${id}" is defined twice (family ${fam.name})`);
        this.entries.set(id, { process: p, validate: ajv.compile(inputsSchema(p.description)) });
      }
    }
  }

  ids(): string[] {
    return [...this.entries.keys()].sort();
  }

  list(): Process[] {
    return this.ids().map((id) => this.entries.get(id)!.process);
  }

  get(id: string): Process | undefined {
    return this.entries.get(id)?.process;
  }

  /**
   * Schema check, then the process's own semantic check. Returns the inputs with schema defaults
   * filled in (the form that is stored and hashed). Throws InputError naming the input.
   */
  async validate(id: string, inputs: unknown, env: ValidateEnv): Promise<Record<string, unknown>> {
    const e = this.entries.get(id)!;
    const copy = structuredClone(inputs ?? {}) as Record<string, unknown>;
    if (!e.validate(copy)) throw schemaError(e.validate.errors ?? []);
    await e.process.validate?.(copy, env);
    return copy;
  }
}

function schemaError(errors: ErrorObject[]): InputError {
  const err = errors[0];
  if (!err) return new InputError('inputs', 'invalid');
  const path = err.instancePath.split('/').filter(Boolean);
  if (err.keyword === 'required') path.push(String(err.params.missingProperty));
  if (err.keyword === 'additionalProperties') {
    path.push(String(err.params.additionalProperty));
    return new InputError(path.join('.'), 'is not an input of this process');
  }
  let msg = err.message ?? 'is invalid';
  if (err.keyword === 'enum') msg += `: ${(err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (err.keyword === 'required') msg = 'is required';
  return new InputError(path.join('.') || 'inputs', msg);
}
