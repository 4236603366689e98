/**
 * The form generator over the JSON Schema subset our processes declare: scalars, enums, booleans,
 * string lists, and where the schema asks for a place or a file, a spatial or data-root widget.
 * A schema nothing here understands gets a JSON text box, so ANY process can be submitted.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { JsonSchema } from '../api';
import { fieldId, useFieldError } from './context';
import { DataPathField } from './data-browser';
import { BoundaryField } from './boundary-field';
import { BboxField, PointField } from './geo-fields';
import { PolygonField } from './polygon-field';
import { OperationsField } from './operations';

export interface FieldProps {
  path: string;
  name: string;
  label: string;
  description?: string;
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  onChange: (v: unknown) => void;
}

type Widget = 'operations' | 'paths' | 'path' | 'bbox' | 'point' | 'country' | 'boundary' | 'polygon' | 'enum' | 'boolean' | 'number' | 'string' | 'strings' | 'json';

const typeOf = (s: JsonSchema) => (Array.isArray(s.type) ? s.type[0] : s.type);

export function widgetFor(name: string, schema: JsonSchema, description = ''): Widget {
  const t = typeOf(schema);
  const dataRoot = /data root/i.test(`${description} ${schema.description ?? ''}`);
  if (t === 'array' && schema.items?.properties?.operation) return 'operations';
  if (t === 'array' && typeOf(schema.items ?? {}) === 'string' && dataRoot) return 'paths';
  if (t === 'string' && dataRoot) return 'path';
  if (t === 'array' && typeOf(schema.items ?? {}) === 'number' && schema.minItems === 4 && schema.maxItems === 4) return 'bbox';
  if ((schema.properties?.type as JsonSchema | undefined)?.const === 'Point') return 'point';
  if (t === 'string' && (name === 'country' || schema.pattern === '^[A-Za-z]{3}$')) return 'country';
  if (t === 'string' && name === 'boundary') return 'boundary';
  if (t === 'object' && (/geo\+json/.test(schema.contentMediaType ?? '') || name === 'polygon')) return 'polygon';
  if (schema.enum) return 'enum';
  if (t === 'boolean') return 'boolean';
  if (t === 'number' || t === 'integer') return 'number';
  if (t === 'string') return 'string';
  if (t === 'array' && typeOf(schema.items ?? {}) === 'string') return 'strings';
  return 'json';
}

/** Label, hint and the server's error around one control. */
export function FieldShell({ path, label, description, required, children, error, as = 'label' }: {
  path: string;
  label: string;
  description?: string;
  required?: boolean;
  error?: string | null;
  children: ComponentChildren;
  as?: 'label' | 'fieldset';
}) {
  const id = fieldId(path);
  const head = (
    <>
      <span class="field-label">
        {label}
        {required ? <span class="req" aria-hidden="true"> *</span> : null}
      </span>
      {description ? <span class="field-hint" id={`${id}-hint`}>{description}</span> : null}
    </>
  );
  const err = error ? <span class="field-error" role="alert" id={`${id}-error`}>{error}</span> : null;
  if (as === 'fieldset')
    return (
      <fieldset class={`field${error ? ' has-error' : ''}`} data-field={path} aria-describedby={description ? `${id}-hint` : undefined}>
        <legend>
          <span class="field-label">
            {label}
            {required ? <span class="req" aria-hidden="true"> *</span> : null}
          </span>
        </legend>
        {description ? <span class="field-hint" id={`${id}-hint`}>{description}</span> : null}
        {children}
        {err}
      </fieldset>
    );
  return (
    <div class={`field${error ? ' has-error' : ''}`} data-field={path}>
      <label for={id}>{head}</label>
      {children}
      {err}
    </div>
  );
}

function NumberInput({ id, value, onChange, schema, describedBy }: { id: string; value: unknown; onChange: (v: unknown) => void; schema: JsonSchema; describedBy?: string }) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  const shown = typeof value === 'number' && Number(text) !== value ? String(value) : text;
  return (
    <input
      id={id}
      type="text"
      inputMode="decimal"
      value={shown}
      aria-describedby={describedBy}
      placeholder={schema.minimum !== undefined && schema.maximum !== undefined ? `${schema.minimum} – ${schema.maximum}` : undefined}
      onInput={(e) => {
        const t = e.currentTarget.value;
        setText(t);
        // Unparseable text is sent as typed: the server's 400 then names this field.
        onChange(t.trim() === '' ? undefined : Number.isFinite(Number(t)) ? Number(t) : t);
      }}
    />
  );
}

export function Field(p: FieldProps) {
  const w = widgetFor(p.name, p.schema, p.description);
  const error = useFieldError(p.path, w === 'operations' || w === 'json' || w === 'polygon');
  const id = fieldId(p.path);
  const describedBy = [p.description ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const shell = (children: ComponentChildren, as: 'label' | 'fieldset' = 'label') => (
    <FieldShell path={p.path} label={p.label} description={p.description} required={p.required} error={error} as={as}>
      {children}
    </FieldShell>
  );
  switch (w) {
    case 'operations':
      return shell(<OperationsField {...p} />, 'fieldset');
    case 'paths':
    case 'path':
      return shell(<DataPathField id={id} multiple={w === 'paths'} value={p.value} onChange={p.onChange} label={p.label} />, 'fieldset');
    case 'bbox':
      return shell(<BboxField path={p.path} value={p.value} onChange={p.onChange} />, 'fieldset');
    case 'point':
      return shell(<PointField path={p.path} value={p.value} onChange={p.onChange} />, 'fieldset');
    case 'country':
    case 'boundary':
      return shell(<BoundaryField id={id} path={p.path} country={w === 'country'} value={p.value} onChange={p.onChange} />);
    case 'polygon':
      return shell(<PolygonField id={id} value={p.value} onChange={p.onChange} />);
    case 'enum':
      return shell(
        <select id={id} value={p.value === undefined ? '' : String(p.value)} aria-describedby={describedBy} onChange={(e) => p.onChange(e.currentTarget.value === '' ? undefined : p.schema.enum!.find((v) => String(v) === e.currentTarget.value))}>
          <option value="">{p.schema.default !== undefined ? `(default: ${String(p.schema.default)})` : p.required ? 'choose…' : '(none)'}</option>
          {p.schema.enum!.map((v) => <option key={String(v)} value={String(v)}>{String(v)}</option>)}
        </select>,
      );
    case 'boolean':
      return (
        <div class={`field field-check${error ? ' has-error' : ''}`} data-field={p.path}>
          <label for={id}>
            <input id={id} type="checkbox" checked={p.value === true} aria-describedby={describedBy} onChange={(e) => p.onChange(e.currentTarget.checked ? true : p.schema.default === true ? false : undefined)} />
            <span class="field-label">{p.label}</span>
          </label>
          {p.description ? <span class="field-hint" id={`${id}-hint`}>{p.description}</span> : null}
          {error ? <span class="field-error" role="alert" id={`${id}-error`}>{error}</span> : null}
        </div>
      );
    case 'number':
      return shell(<NumberInput id={id} value={p.value} onChange={p.onChange} schema={p.schema} describedBy={describedBy} />);
    case 'string':
      return shell(<input id={id} type="text" placeholder={p.schema.default !== undefined ? `default: ${String(p.schema.default)}` : undefined} value={p.value === undefined ? '' : String(p.value)} aria-describedby={describedBy} onInput={(e) => p.onChange(e.currentTarget.value === '' ? undefined : e.currentTarget.value)} />);
    case 'strings':
      return shell(
        <input
          id={id}
          type="text"
          placeholder="comma-separated"
          value={Array.isArray(p.value) ? p.value.join(', ') : ''}
          aria-describedby={describedBy}
          onInput={(e) => {
            const list = e.currentTarget.value.split(',').map((s) => s.trim()).filter(Boolean);
            p.onChange(list.length ? list : undefined);
          }}
        />,
      );
    default:
      return shell(<JsonInput id={id} value={p.value} onChange={p.onChange} describedBy={describedBy} />);
  }
}

export function JsonInput({ id, value, onChange, describedBy }: { id: string; value: unknown; onChange: (v: unknown) => void; describedBy?: string }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 2));
  const [bad, setBad] = useState(false);
  return (
    <>
      <textarea
        id={id}
        rows={4}
        class="mono"
        value={text}
        aria-describedby={describedBy}
        aria-invalid={bad}
        onInput={(e) => {
          const t = e.currentTarget.value;
          setText(t);
          try {
            onChange(t.trim() === '' ? undefined : JSON.parse(t));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad ? <span class="field-hint warn">Not valid JSON yet.</span> : null}
    </>
  );
}
