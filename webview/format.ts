/** Number and label formatting for the dashboard. Pure functions. */
import type { ForecastView } from '../src/shared/dashboard-protocol';

/** Accuracy in [0, 1] as a percentage: 0.8734 → "87.3%". */
export function pct(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${(v * 100).toFixed(digits)}%`;
}

/**
 * A forecast with its interval: "87.3% ± 2.1" when the interval is symmetric (to the shown
 * precision), else "87.3% (85.0–89.1)".
 */
export function forecastText(f: ForecastView | null | undefined): string {
  if (!f || !Number.isFinite(f.accuracy)) return '–';
  const a = f.accuracy * 100;
  const lo = Number.isFinite(f.low) ? f.low * 100 : NaN;
  const hi = Number.isFinite(f.high) ? f.high * 100 : NaN;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return `${a.toFixed(1)}%`;
  const up = hi - a;
  const down = a - lo;
  if (Math.abs(up - down) < 0.05) return `${a.toFixed(1)}% ± ${((up + down) / 2).toFixed(1)}`;
  return `${a.toFixed(1)}% (${lo.toFixed(1)}–${hi.toFixed(1)})`;
}

/** A metric value with about 4 significant digits, exponent notation for very large or small. */
export function num(v: number | null | undefined, sig = 4): string {
  if (v === null || v === undefined) return '–';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(Math.max(0, sig - 1)).replace('e+', 'e');
  return Number(v.toPrecision(sig)).toString();
}

/** A signed change: "+0.0123", "−0.05", "0". */
export function delta(v: number | null | undefined, sig = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const s = num(Math.abs(v), sig);
  return v > 0 ? `+${s}` : `−${s}`;
}

/** Integer with thousands separators: 12942 → "12,942". */
export function count(n: number): string {
  if (!Number.isFinite(n)) return '–';
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Relative change in percent: "+12%" ("–" when the base is 0). */
export function relChange(now: number, before: number): string {
  if (!Number.isFinite(now) || !Number.isFinite(before) || before === 0) return '–';
  const r = ((now - before) / Math.abs(before)) * 100;
  const s = Math.abs(r) >= 10 ? Math.abs(r).toFixed(0) : Math.abs(r).toFixed(1);
  return r === 0 ? '0%' : `${r > 0 ? '+' : '−'}${s}%`;
}
