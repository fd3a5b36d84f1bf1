/** Reading and typing into step 5's CodeMirror editors, which live in shadow roots (the CSP needs them there). */
import { EditorView } from '@codemirror/view';
import { act, waitFor } from '@testing-library/react';
import { expect } from 'vitest';

/** The CodeMirror textbox named `name` inside `container`, or null. */
export function editor(container: HTMLElement, name: string): HTMLElement | null {
  for (const host of Array.from(container.querySelectorAll('.code-editor'))) {
    const box = host.shadowRoot?.querySelector<HTMLElement>(`[role="textbox"][aria-label="${name}"]`);
    if (box) return box;
  }
  return null;
}

/** Waits for the editor named `name` (it loads lazily) and replaces its whole text, as typing would. */
export async function setEditorText(container: HTMLElement, name: string, text: string): Promise<void> {
  let box: HTMLElement | null = null;
  await waitFor(() => {
    box = editor(container, name);
    expect(box).not.toBeNull();
  });
  const view = EditorView.findFromDOM(box!);
  if (!view) throw new Error(`no CodeMirror view for ${name}`);
  act(() => {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  });
}
