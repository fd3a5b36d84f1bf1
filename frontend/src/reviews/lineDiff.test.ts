import { describe, expect, it } from 'vitest';
import { diffLines, hasChanges, splitLines } from './lineDiff';

const ops = (before: string, after: string) => diffLines(before, after).map((l) => `${l.op[0]} ${l.text}`);

describe('diffLines', () => {
  it('marks nothing when the texts are the same', () => {
    expect(ops('a\nb\nc', 'a\nb\nc')).toEqual(['s a', 's b', 's c']);
    expect(hasChanges(diffLines('a\nb', 'a\nb'))).toBe(false);
  });

  it('shows a changed line as the old one removed, then the new one added, in place', () => {
    expect(ops('What happened\n[EDIT: say when]\nWhat you can do', 'What happened\nOn 3 June we sent…\nWhat you can do')).toEqual([
      's What happened',
      'r [EDIT: say when]',
      'a On 3 June we sent…',
      's What you can do',
    ]);
  });

  it('finds lines added and removed at the start, middle and end', () => {
    expect(ops('b\nc\nd', 'a\nb\nd\ne')).toEqual(['a a', 's b', 'r c', 's d', 'a e']);
  });

  it('keeps the longest common run: a moved paragraph is one removal and one addition', () => {
    expect(ops('x\na\nb\nc', 'a\nb\nc\nx')).toEqual(['r x', 's a', 's b', 's c', 'a x']);
  });

  it('treats an empty text as no lines, and normalises CRLF', () => {
    expect(ops('', 'one\ntwo')).toEqual(['a one', 'a two']);
    expect(ops('one', '')).toEqual(['r one']);
    expect(ops('', '')).toEqual([]);
    expect(ops('a\r\nb', 'a\nb')).toEqual(['s a', 's b']);
    expect(splitLines('a\rb')).toEqual(['a', 'b']);
  });

  it('counts whitespace: a reviewer approves the exact text', () => {
    expect(ops('Change your password.', 'Change your password. ')).toEqual([
      'r Change your password.',
      'a Change your password. ',
    ]);
  });
});
