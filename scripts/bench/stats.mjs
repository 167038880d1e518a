// Small numeric helpers for the benchmark runner's adapters.

/** Median of the values (mean of the middle two for an even count); NaN for none. */
export function median(values) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** [min, max] of the values, or null when there are none. */
export function range(values) {
  const xs = values.filter((v) => Number.isFinite(v));
  return xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : null;
}

/** A number for a table: integers from 100 up, two significant decimals below. */
export function fmt(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 100 || Number.isInteger(n)) return String(Math.round(n));
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** "value (min–max)" for a median with its spread. */
export function withSpread(value, spread) {
  if (!spread || spread[0] === spread[1]) return fmt(value);
  return `${fmt(value)} (${fmt(spread[0])}–${fmt(spread[1])})`;
}
