/**
 * An operation chain (netcdf-subset's `operations`, or any array input whose items carry an
 * `operation` enum) built step by step: pick the operation, fill in the fields it uses, reorder.
 */
import type { JsonSchema } from '../api';
import { fieldId, useFieldError } from './context';
import { Field, type FieldProps } from './fields';

type Step = Record<string, unknown>;

/** Which item properties an operation uses (the rest are hidden); unknown operations show all. */
const USES: Record<string, string[]> = {
  select_bbox: ['bbox'],
  mask_bbox: ['bbox'],
  cutout_bbox: ['bbox'],
  select_point: ['point'],
  cutout_point: ['point'],
  mask_country: ['country'],
  mask_landonly: [],
  // `file` names an upload of a multipart (ISIMIP) request; a JSON request carries the polygon inline.
  mask_polygon: ['polygon'],
  mask_mask: ['mask', 'var'],
  create_mask: ['file', 'mask'],
};
const LAST_ONLY = ['compute_mean', 'output_csv'];

function visibleProps(item: JsonSchema, op: string | undefined, last: boolean): string[] {
  const all = Object.keys(item.properties ?? {}).filter((k) => k !== 'operation');
  if (!op) return [];
  const uses = USES[op];
  return all.filter((k) => (uses ? uses.includes(k) : !LAST_ONLY.includes(k)) || (last && LAST_ONLY.includes(k)));
}

function StepEditor({ path, index, count, item, step, onChange, onRemove, onMove }: {
  path: string;
  index: number;
  count: number;
  item: JsonSchema;
  step: Step;
  onChange: (s: Step) => void;
  onRemove: () => void;
  onMove: (d: -1 | 1) => void;
}) {
  const p = `${path}.${index}`;
  const op = typeof step.operation === 'string' ? step.operation : undefined;
  const ops = (item.properties?.operation?.enum ?? []) as string[];
  const props = visibleProps(item, op, index === count - 1);
  const opError = useFieldError(`${p}.operation`);
  const stepError = useFieldError(p);
  return (
    <li class="step" data-field={p}>
      <div class="step-head">
        <label for={fieldId(`${p}.operation`)} class="step-label">Step {index + 1}</label>
        <select
          id={fieldId(`${p}.operation`)}
          value={op ?? ''}
          onChange={(e) => {
            const next: Step = { operation: e.currentTarget.value || undefined };
            // Keep the values the new operation also uses.
            for (const k of visibleProps(item, e.currentTarget.value, index === count - 1)) if (step[k] !== undefined) next[k] = step[k];
            onChange(next);
          }}
        >
          <option value="">choose an operation…</option>
          {ops.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
        <span class="step-tools">
          <button type="button" aria-label={`Move step ${index + 1} up`} disabled={index === 0} onClick={() => onMove(-1)}>↑</button>
          <button type="button" aria-label={`Move step ${index + 1} down`} disabled={index === count - 1} onClick={() => onMove(1)}>↓</button>
          <button type="button" aria-label={`Remove step ${index + 1}`} onClick={onRemove}>Remove</button>
        </span>
      </div>
      {opError || stepError ? <span class="field-error" role="alert">{opError ?? stepError}</span> : null}
      {props.map((k) => {
        const s = item.properties![k];
        const fp: FieldProps = {
          path: `${p}.${k}`,
          name: k,
          label: k,
          description: s.description,
          schema: s,
          required: (item.required ?? []).includes(k),
          value: step[k],
          onChange: (v) => {
            const next = { ...step };
            if (v === undefined) delete next[k];
            else next[k] = v;
            onChange(next);
          },
        };
        return <Field key={k} {...fp} />;
      })}
    </li>
  );
}

export function OperationsField(p: FieldProps) {
  const item = p.schema.items ?? {};
  const steps: Step[] = Array.isArray(p.value) ? (p.value as Step[]) : [];
  const max = p.schema.maxItems ?? Infinity;
  const set = (list: Step[]) => p.onChange(list.length ? list : undefined);
  return (
    <div class="operations">
      {steps.length === 0 ? <p class="muted">No steps yet: add the first operation.</p> : null}
      <ol class="steps">
        {steps.map((s, i) => (
          <StepEditor
            key={i}
            path={p.path}
            index={i}
            count={steps.length}
            item={item}
            step={s}
            onChange={(n) => set(steps.map((x, j) => (j === i ? n : x)))}
            onRemove={() => set(steps.filter((_, j) => j !== i))}
            onMove={(d) => {
              const next = [...steps];
              [next[i], next[i + d]] = [next[i + d], next[i]];
              set(next);
            }}
          />
        ))}
      </ol>
      <button type="button" id={steps.length ? undefined : fieldId(p.path)} disabled={steps.length >= max} onClick={() => set([...steps, {}])}>
        + Add step
      </button>
    </div>
  );
}
