import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { html } from '@codemirror/lang-html';
import { Compartment, EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, placeholder as placeholderExt } from '@codemirror/view';
import { useEffect, useRef } from 'react';

export interface CodeEditorProps {
  /** The editor's accessible name (its content element is a labelled textbox). */
  label: string;
  value: string;
  onChange: (value: string) => void;
  language: 'html' | 'text';
  readOnly?: boolean;
  invalid?: boolean;
  /** Ids of the hints and problems that describe it. */
  describedBy?: string;
  placeholder?: string;
}

/** The editor's look, inside its shadow root (the page's styles.css does not reach in; custom properties do). */
const look = EditorView.theme({
  '&': { maxHeight: '480px', backgroundColor: 'var(--surface-raised, #fff)', fontSize: '0.875rem' },
  '&.cm-focused': { outline: '2px solid var(--focus, #1d6fd6)', outlineOffset: '0' },
  '.cm-scroller': { overflow: 'auto', fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
  '.cm-content, .cm-gutter': { minHeight: '160px' },
  '.cm-gutters': {
    backgroundColor: 'var(--surface, #f4f6f7)',
    color: 'var(--ink-muted, #4b5d68)',
    borderRight: '1px solid var(--line, #d5dee2)',
  },
});

/**
 * A CodeMirror 6 editor for a body (HTML with highlighting, or plain text).
 *
 * It lives in a shadow root of its host element: CodeMirror's styles (style-mod)
 * go into a constructable style sheet adopted by a shadow root, which the
 * dashboard's CSP (style-src 'self', no inline <style>) allows, whereas on the
 * document itself it would add a <style> element the CSP refuses. Loaded
 * lazily (LazyCodeEditor): it is the larger part of step 5's code.
 */
export default function CodeEditor({ label, value, onChange, language, readOnly, invalid, describedBy, placeholder }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  const settings = useRef(new Compartment());
  const configure = (): Extension => {
    const attrs: Record<string, string> = { 'aria-label': label };
    if (describedBy) attrs['aria-describedby'] = describedBy;
    if (invalid) attrs['aria-invalid'] = 'true';
    return [EditorView.contentAttributes.of(attrs), EditorState.readOnly.of(!!readOnly), EditorView.editable.of(!readOnly)];
  };

  useEffect(() => {
    const extensions: Extension[] = [
      lineNumbers(),
      history(),
      keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
      EditorView.lineWrapping,
      look,
      settings.current.of(configure()),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onChangeRef.current(update.state.doc.toString());
      }),
    ];
    if (language === 'html') extensions.push(html());
    if (placeholder) extensions.push(placeholderExt(placeholder));
    const el = host.current!;
    const shadow = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
    const v = new EditorView({
      root: shadow,
      parent: shadow,
      state: EditorState.create({ doc: value, extensions }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // Built once per language; the value and the settings follow below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [language, placeholder]);

  // Its name, description, invalid mark and read-only follow the props without a rebuild (undo history stays).
  useEffect(() => {
    view.current?.dispatch({ effects: settings.current.reconfigure(configure()) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [label, describedBy, invalid, readOnly]);

  // A value set from outside (a save's answer, a reset) replaces the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div ref={host} className={`code-editor${invalid ? ' code-editor--invalid' : ''}`} />;
}
