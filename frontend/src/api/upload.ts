/**
 * One request through XMLHttpRequest, for the only thing `fetch` cannot do:
 * say how much of a request body has gone up (`xhr.upload.onprogress`). Used by
 * ApiClient.upload for the recipients' CSV import; everything else uses fetch.
 */

/** How much of the body has been sent. `total` is 0 when the browser does not know it. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface XhrRequest {
  url: string;
  body: Blob;
  headers: Record<string, string>;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

/**
 * POSTs `body` with same-origin credentials and resolves with the status and
 * text of any answer (non-2xx included: the caller reads the error shape).
 * Rejects with a TypeError when no answer came (network down), and with a
 * DOMException named AbortError when `signal` aborts.
 */
export function sendWithProgress(req: XhrRequest): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(new DOMException('The upload was aborted.', 'AbortError'));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', req.url);
    for (const [name, value] of Object.entries(req.headers)) xhr.setRequestHeader(name, value);
    const size = req.body.size;
    xhr.upload.onprogress = (e) => req.onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : size });
    xhr.upload.onload = () => req.onProgress?.({ loaded: size, total: size });
    const onAbort = () => xhr.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => req.signal?.removeEventListener('abort', onAbort);
    xhr.onload = () => {
      done();
      resolve({ status: xhr.status, text: xhr.responseText });
    };
    xhr.onerror = () => {
      done();
      reject(new TypeError('The upload failed: no answer.'));
    };
    xhr.onabort = () => {
      done();
      reject(new DOMException('The upload was aborted.', 'AbortError'));
    };
    xhr.send(req.body);
  });
}
