// The SDK's call tables against the chain's published schema (`pillar schema --all`, path in
// PILLAR_SCHEMA): same kinds, tags, fields, types and EIP-712 encodeType. A call added to a
// module shows up here until the SDK knows it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CALLS, STRUCTS, callTag, encodeType } from '../dist/index.js';

const schema = JSON.parse(readFileSync(process.env.PILLAR_SCHEMA, 'utf8'));

const sol = (t) => {
  if (typeof t === 'string') {
    if (t === 'key') return 'SessionKey';
    if (t.startsWith('u')) return `uint${t.slice(1)}`;
    return t;
  }
  if ('vec' in t) return `${sol(t.vec)}[]`;
  return t.struct;
};

test('every call kind of the chain is in the SDK, with the same tag', () => {
  const sdk = CALLS.map(([name]) => name);
  const chain = schema.calls.map((c) => c.name);
  assert.deepEqual(sdk, chain);
  for (const c of schema.calls) assert.equal(callTag(c.name), c.tag, c.name);
});

test('fields, types and EIP-712 types agree', () => {
  const byName = new Map(CALLS.map(([name, fields]) => [name, fields]));
  for (const c of schema.calls) {
    const fields = byName.get(c.name).map(([name, type]) => ({ name, type: sol(type) }));
    assert.deepEqual(fields, c.fields.map(({ name, type }) => ({ name, type })), c.name);
    assert.equal(encodeType(c.name), c.eip712Type, c.name);
  }
});

test('nested structs are the ones the EIP-712 types reference', () => {
  const referenced = new Set();
  for (const c of schema.calls) {
    for (const m of c.eip712Type.matchAll(/\)([A-Za-z0-9]+)\(/g)) referenced.add(m[1]);
  }
  referenced.delete('SessionKey');
  assert.deepEqual([...referenced].sort(), Object.keys(STRUCTS).sort());
  assert.deepEqual(schema.callTail, [{ name: 'nonce', type: 'uint64' }, { name: 'maxFee', type: 'uint128' }]);
});
