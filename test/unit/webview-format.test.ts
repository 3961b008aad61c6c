// Number formatting in the dashboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, delta, forecastText, num, pct, relChange } from '../../webview/format';

test('forecastText: symmetric interval as ±, asymmetric as a range, missing as a dash', () => {
  assert.equal(forecastText({ accuracy: 0.873, low: 0.852, high: 0.894, epochsUsed: 3 }), '87.3% ± 2.1');
  assert.equal(forecastText({ accuracy: 0.873, low: 0.8, high: 0.9, epochsUsed: 3 }), '87.3% (80.0–90.0)');
  assert.equal(forecastText({ accuracy: 0.5, low: NaN, high: NaN, epochsUsed: 1 }), '50.0%');
  assert.equal(forecastText(null), '–');
});

test('pct, num, delta, count, relChange', () => {
  assert.equal(pct(0.7676), '76.8%');
  assert.equal(pct(null), '–');
  assert.equal(num(0.058081234), '0.05808');
  assert.equal(num(12345678), '1.235e7');
  assert.equal(num(0.00001234), '1.234e-5');
  assert.equal(num(0), '0');
  assert.equal(num(NaN), 'NaN');
  assert.equal(delta(0.00821), '+0.00821');
  assert.equal(delta(-1.5), '−1.5');
  assert.equal(count(2145496), '2,145,496');
  assert.equal(relChange(110, 100), '+10%');
  assert.equal(relChange(99, 100), '−1.0%');
  assert.equal(relChange(1, 0), '–');
});
