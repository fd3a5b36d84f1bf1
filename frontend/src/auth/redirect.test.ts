import { describe, expect, it } from 'vitest';
import { afterLoginPath } from './redirect';

describe('afterLoginPath', () => {
  it.each([
    [undefined, '/'],
    [null, '/'],
    [{}, '/'],
    [{ from: { pathname: '/incidents', search: '?status=open', hash: '' } }, '/incidents?status=open'],
    [{ from: { pathname: '/login', search: '', hash: '' } }, '/'],
    [{ from: { pathname: '//evil.example/x', search: '', hash: '' } }, '/'],
    [{ from: { pathname: 'https://evil.example/', search: '', hash: '' } }, '/'],
  ])('%j → %s', (state, want) => {
    expect(afterLoginPath(state)).toBe(want);
  });
});
