import type { ReactNode } from 'react';

/** One entry of a `<select>`: the value sent back and the words shown. */
export interface Choice<V extends string = string> {
  value: V;
  label: string;
}

/** Choices from a list of values, each shown in words by `label`. */
export function choicesOf<V extends string>(values: readonly V[], label: (value: V) => string): Choice<V>[] {
  return values.map((value) => ({ value, label: label(value) }));
}

/**
 * A form field: its caption above (or, with `row`, beside) the control given as children, and under it what
 * is wrong with the value (`error`), if anything.
 */
export function Field({
  label,
  row,
  error,
  children,
}: {
  label: string;
  row?: boolean;
  error?: string | null;
  children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is `children`, inside the label, so it is labelled.
    <label className={row ? 'field field--row' : 'field'}>
      <span className="field__label">{label}</span>
      {children}
      {error ? (
        <span className="field__error" role="alert">
          {error}
        </span>
      ) : null}
    </label>
  );
}

interface SelectProps<V extends string> {
  value: V;
  choices: readonly Choice<V>[];
  onChange: (value: V) => void;
  disabled?: boolean;
  /** The control's own accessible name (where no caption labels it, or to repeat it). */
  ariaLabel?: string;
}

/** A `<select>` over `choices`; `onChange` gets the chosen one's value. */
export function Select<V extends string>({ value, choices, onChange, disabled, ariaLabel }: SelectProps<V>) {
  return (
    <select
      value={value}
      disabled={disabled}
      aria-label={ariaLabel}
      onChange={(e) => onChange(e.target.value as V)}
    >
      {choices.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </select>
  );
}

/** A captioned `<select>`: «Статус [открыт ▾]». */
export function SelectField<V extends string>({
  label,
  row,
  ...select
}: SelectProps<V> & { label: string; row?: boolean }) {
  return (
    <Field label={label} row={row}>
      <Select {...select} />
    </Field>
  );
}
