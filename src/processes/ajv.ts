/** An Ajv with the string formats (date-time, uri, ...) that input schemas use. */
import { Ajv, type Options } from 'ajv';
import formatsPlugin from 'ajv-formats';

export function formatsAjv(opts: Options): Ajv {
  const ajv = new Ajv(opts);
  // ajv-formats is CommonJS: under NodeNext its default import is the module object.
  const addFormats = ((formatsPlugin as unknown as { default?: typeof formatsPlugin }).default ?? formatsPlugin) as unknown as (a: Ajv) => void;
  addFormats(ajv);
  return ajv;
}
