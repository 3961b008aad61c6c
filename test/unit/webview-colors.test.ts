// Colour parsing, perceptual mixing, the scales of the network view and the colour hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { divergingScale, hashColors, luminance, mix, normalize, over, parseColor, sequentialScale, toHex } from '../../webview/colors';

test('parseColor reads the forms VS Code uses for its theme variables', () => {
  assert.deepEqual(parseColor('#3794ff'), { r: 0x37, g: 0x94, b: 0xff, a: 1 });
  assert.deepEqual(parseColor('#fff'), { r: 255, g: 255, b: 255, a: 1 });
  assert.deepEqual(parseColor('  #FFFFFF12 '), { r: 255, g: 255, b: 255, a: 0x12 / 255 });
  assert.deepEqual(parseColor('rgba(204, 204, 204, 0.5)'), { r: 204, g: 204, b: 204, a: 0.5 });
  assert.deepEqual(parseColor('rgb(10 20 30 / 50%)'), { r: 10, g: 20, b: 30, a: 0.5 });
  for (const bad of ['', 'red', '#12', '#12345', 'rgb(1,2)', 'var(--x)', null, undefined]) assert.equal(parseColor(bad), null, String(bad));
});

test('toHex and over: alpha composited onto the background', () => {
  assert.equal(toHex({ r: 0, g: 128, b: 255, a: 1 }), '#0080ff');
  const half = over({ r: 255, g: 255, b: 255, a: 0.5 }, { r: 0, g: 0, b: 0, a: 1 });
  assert.equal(toHex(half), '#808080');
});

test('mix: endpoints exact, midpoint between in lightness', () => {
  const a = parseColor('#1f1f1f')!, b = parseColor('#cca700')!;
  assert.equal(toHex(mix(a, b, 0)), '#1f1f1f');
  assert.equal(toHex(mix(a, b, 1)), '#cca700');
  const m = luminance(mix(a, b, 0.5));
  assert.ok(m > luminance(a) && m < luminance(b));
});

test('sequentialScale: through its stops, clamped, NaN to the low end, monotone lightness for a dark→bright ramp', () => {
  const s = sequentialScale([parseColor('#000000')!, parseColor('#ffffff')!], 64);
  assert.equal(s(0), '#000000');
  assert.equal(s(1), '#ffffff');
  assert.equal(s(-3), '#000000');
  assert.equal(s(7), '#ffffff');
  assert.equal(s(NaN), '#000000');
  let last = -1;
  for (let i = 0; i <= 20; i++) {
    const l = luminance(parseColor(s(i / 20))!);
    assert.ok(l >= last, `step ${i}`);
    last = l;
  }
  // 64 steps: at most 64 distinct colours, whatever the input.
  const seen = new Set(Array.from({ length: 1000 }, (_, i) => s(i / 999)));
  assert.ok(seen.size <= 64);
});

test('divergingScale: -1, 0 and 1 land on its three colours', () => {
  const neg = parseColor('#3794ff')!, mid = parseColor('#444444')!, pos = parseColor('#f14c4c')!;
  const d = divergingScale(neg, mid, pos, 49);
  assert.equal(d(-1), '#3794ff');
  assert.equal(d(0), '#444444');
  assert.equal(d(1), '#f14c4c');
  assert.equal(d(-5), '#3794ff');
  assert.equal(d(NaN), '#444444');
});

test('normalize: range, power, degenerate ranges', () => {
  assert.equal(normalize(5, 0, 10), 0.5);
  assert.equal(normalize(2.5, 0, 10, 0.5), 0.5);
  assert.equal(normalize(20, 0, 10), 1);
  assert.equal(normalize(-1, 0, 10), 0);
  assert.equal(normalize(1, 0, 0), 0);
  assert.equal(normalize(NaN, 0, 1), 0);
});

test('hashColors: 8 hex digits, order and content sensitive', () => {
  const a = hashColors(['#000000', '#ffffff']);
  assert.match(a, /^[0-9a-f]{8}$/);
  assert.equal(hashColors(['#000000', '#ffffff']), a);
  assert.notEqual(hashColors(['#ffffff', '#000000']), a);
  assert.notEqual(hashColors(['#000000', '#fffffe']), a);
  assert.notEqual(hashColors(['#000000#ffffff']), a);
});
