/**
 * A fake XMLHttpRequest for the one request that goes through it (an upload
 * with progress, src/api/upload.ts): each `send` is recorded, and the test
 * moves it along — progress events, then an answer — so it can assert what
 * the user sees at each point.
 */
import { vi } from 'vitest';

export interface FakeUpload {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Blob;
  /** Fires upload.onprogress with `loaded` of `total` bytes. */
  progress(loaded: number, total: number): void;
  /** Finishes the body (upload.onload), then answers with `status` and a JSON body. */
  respond(status: number, body: unknown): void;
  /** No answer at all (xhr.onerror). */
  fail(): void;
}

export interface FakeXhr {
  /** Every upload sent so far, in order. */
  uploads: FakeUpload[];
}

export function installFakeXhr(): FakeXhr {
  const uploads: FakeUpload[] = [];

  class FakeXMLHttpRequest {
    status = 0;
    responseText = '';
    upload: { onprogress: ((e: ProgressEvent) => void) | null; onload: (() => void) | null } = { onprogress: null, onload: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    private method = '';
    private url = '';
    private headers: Record<string, string> = {};

    open(method: string, url: string) {
      this.method = method;
      this.url = url;
    }

    setRequestHeader(name: string, value: string) {
      this.headers[name] = value;
    }

    abort() {
      this.onabort?.();
    }

    send(body: Blob) {
      const upload: FakeUpload = {
        method: this.method,
        url: this.url,
        headers: this.headers,
        body,
        progress: (loaded, total) =>
          this.upload.onprogress?.({ loaded, total, lengthComputable: true } as ProgressEvent),
        respond: (status, answer) => {
          this.upload.onload?.();
          this.status = status;
          this.responseText = answer === undefined ? '' : JSON.stringify(answer);
          this.onload?.();
        },
        fail: () => this.onerror?.(),
      };
      uploads.push(upload);
    }
  }

  vi.stubGlobal('XMLHttpRequest', FakeXMLHttpRequest);
  return { uploads };
}
