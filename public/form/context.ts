/**
 * What a form field needs from the form around it: the server's problem for its path, and the
 * one map it shares with the other spatial fields (one field at a time draws on it).
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiProblem } from '../api';
import type { MapMode } from '../map/map';

export interface MapTarget {
  path: string;
  mode: MapMode;
  onBox?: (bbox: [number, number, number, number]) => void;
  onPoint?: (lon: number, lat: number) => void;
}

export interface FormCtx {
  problem: ApiProblem | null;
  mapTarget: MapTarget | null;
  setMapTarget: (t: MapTarget | null) => void;
}

export const FormContext = createContext<FormCtx>({ problem: null, mapTarget: null, setMapTarget: () => {} });

export function useFormCtx(): FormCtx {
  return useContext(FormContext);
}

/** The server's message for exactly this field path (e.g. "inputs.name"), if it named it. */
export function useFieldError(path: string, prefix = false): string | null {
  const { problem } = useFormCtx();
  if (!problem?.field) return null;
  if (problem.field === path || (prefix && problem.field.startsWith(path + '.'))) {
    // "inputs.name: is required" beside the Name field reads better as "is required".
    const d = problem.detail ?? problem.title;
    return d.startsWith(`${problem.field}: `) && problem.field === path ? d.slice(problem.field.length + 2) : d;
  }
  return null;
}

/** Ids for inputs (label targets, focus on error). */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}
