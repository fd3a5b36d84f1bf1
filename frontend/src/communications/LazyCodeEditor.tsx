import { lazy, Suspense } from 'react';
import type { CodeEditorProps } from './CodeEditor';

// CodeMirror loads when a composer is first shown, not with the dashboard.
const Editor = lazy(() => import('./CodeEditor'));

export function LazyCodeEditor(props: CodeEditorProps) {
  return (
    <Suspense
      fallback={
        <div className="code-editor code-editor--loading" role="status">
          Loading the editor…
        </div>
      }
    >
      <Editor {...props} />
    </Suspense>
  );
}
