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

/**
 * A CodeMirror 6 editor for a body (HTML with highlighting, or plain text).
 * CodeMirror adds its styles through constructable style sheets and the CSSOM,
 * which the dashboard's CSP (style-src 'self') allows. Loaded lazily
 * (LazyCodeEditor): it is the larger part of step 5's code.
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
      settings.current.of(configure()),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onChangeRef.current(update.state.doc.toString());
      }),
    ];
    if (language === 'html') extensions.push(html());
    if (placeholder) extensions.push(placeholderExt(placeholder));
    const v = new EditorView({
      parent: host.current!,
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
