import { useRef, useState } from 'react';
import { haptic } from '../init';

export interface FormCheck<K extends string> {
  /** What to show under field `key` (`Field`'s error): its problem, once a press has found problems. */
  error(key: K): string | null;
  /** Spread on the field's control: its ref (to move the keyboard there) and aria-invalid. */
  control(key: K): { ref: (element: HTMLElement | null) => void; 'aria-invalid': boolean };
  /**
   * Call on the submit press: true when nothing is wrong; otherwise each problem shows under its field
   * (until fixed), the keyboard moves to the first one and Telegram gives the error haptic.
   */
  check(): boolean;
  /** No problems shown: a fresh or cancelled form. */
  reset(): void;
}

/** A required text field's problem: `problem` while `value` is blank, else null. */
export function missing(value: string, problem: string): string | null {
  return value.trim() === '' ? problem : null;
}

/**
 * A form whose submit button stays pressable (a greyed-out button would not say what is missing).
 * `problems`: each field's problem with its value now, null where there is none, in the form's order.
 */
export function useFormCheck<K extends string>(problems: Record<K, string | null>): FormCheck<K> {
  const [checked, setChecked] = useState(false);
  const controls = useRef(new Map<K, HTMLElement | null>());
  return {
    error: (key) => (checked ? problems[key] : null),
    control: (key) => ({
      ref: (element) => {
        controls.current.set(key, element);
      },
      'aria-invalid': checked && problems[key] !== null,
    }),
    check() {
      const first = (Object.keys(problems) as K[]).find((key) => problems[key] !== null);
      if (first === undefined) return true;
      setChecked(true);
      haptic.notify('error');
      controls.current.get(first)?.focus();
      return false;
    },
    reset: () => setChecked(false),
  };
}
