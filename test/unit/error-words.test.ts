// JavaScript's own errors never reach the user bare: each is restated with the file and its cause
// in words (src/engine/errors.ts explainError / asInputError), and messages stay bounded in length.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, MAX_MESSAGE_CHARS, asInputError, explainError } from '../../src/engine/errors';

test('runtime errors are restated in words, naming the file', () => {
  const cases: [Error, RegExp][] = [
    [new RangeError('Invalid typed array length: 4294967296'), /a size stated in the file is larger than can be allocated \(Invalid typed array length/],
    [new RangeError('Maximum call stack size exceeded'), /nested more deeply than can be read/],
    [new RangeError('Cannot convert 1e308 to a BigInt'), /must be a whole number is not one/],
    [new RangeError('Invalid string length'), /longer than the longest string/],
    [new TypeError("Cannot read properties of undefined (reading 'shape')"), /does not have the structure its format requires/],
  ];
  for (const [e, re] of cases) {
    const ie = asInputError(e, '/x/model.pt');
    assert.ok(ie instanceof InputError);
    assert.match(ie.message, /^\/x\/model\.pt: /);
    assert.match(ie.message, re);
    assert.doesNotMatch(explainError(e), /^(Invalid|Maximum|Cannot)/);
  }
});

test('messages are cut to a bounded length', () => {
  const e = new InputError('f', 'x'.repeat(10 * MAX_MESSAGE_CHARS));
  assert.ok(e.message.length < MAX_MESSAGE_CHARS + 100);
  assert.match(e.problem, /more characters\)$/);
});
