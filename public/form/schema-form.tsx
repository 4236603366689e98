/** A process's inputs as a form: one generated field per input of its description. */
import type { ProcessDescription } from '../api';
import { Field } from './fields';

export type Values = Record<string, unknown>;

export function InputsForm({ process, values, onChange }: { process: ProcessDescription; values: Values; onChange: (v: Values) => void }) {
  const entries = Object.entries(process.inputs);
  if (!entries.length) return <p class="muted">This process takes no inputs.</p>;
  return (
    <div class="inputs">
      {entries.map(([name, d]) => (
        <Field
          key={`${process.id}/${name}`}
          path={`inputs.${name}`}
          name={name}
          label={d.title ?? name}
          description={d.description ?? d.schema.description}
          schema={d.schema}
          required={(d.minOccurs ?? 1) > 0}
          value={values[name]}
          onChange={(v) => {
            const next = { ...values };
            if (v === undefined) delete next[name];
            else next[name] = v;
            onChange(next);
          }}
        />
      ))}
    </div>
  );
}
