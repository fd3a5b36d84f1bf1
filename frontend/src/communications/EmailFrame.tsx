import { useEffect, useRef } from 'react';

/**
 * A rendered email inside a sandboxed iframe, as a mail client shows it.
 *
 * Why not `<iframe sandbox="" srcdoc=…>`: an about:srcdoc (or about:blank)
 * frame inherits the dashboard's Content-Security-Policy (style-src 'self'), so
 * Chromium refuses every `style="…"` attribute and `<style>` element in it, and
 * an email is almost all inline styles. The CSP does allow styles set through
 * the CSSOM and constructable style sheets, so the dashboard builds the frame
 * itself: it parses the HTML inertly (DOMParser runs nothing), drops what could
 * act (scripts, frames, objects, forms' actions, `on…` handlers, javascript:
 * links, <base>, <meta http-equiv>, external style sheets), moves each style
 * attribute to `element.style.cssText` and the `<style>` blocks into an adopted
 * CSSStyleSheet (media queries included, so the phone width shows the
 * responsive layout). The frame's sandbox has no allow-scripts, so nothing in
 * it can run; allow-same-origin only lets the dashboard write into it. Links
 * are not followed from the preview.
 */
export function EmailFrame({ html, title, width }: { html: string; title: string; width: 'desktop' | 'phone' }) {
  const ref = useRef<HTMLIFrameElement>(null);

  useEffect(() => {
    const frame = ref.current;
    const doc = frame?.contentDocument;
    if (!frame || !doc) return;
    writeEmail(doc, html);
    // Grow the frame to its content so the page, not the frame, scrolls.
    const height = doc.documentElement.scrollHeight;
    if (height > 0) frame.style.height = `${Math.max(height, 320) + 16}px`;
  }, [html, width]);

  return (
    <div className={`email-frame-wrap email-frame-wrap--${width}`}>
      <iframe ref={ref} className={`email-frame email-frame--${width}`} sandbox="allow-same-origin" title={title} />
    </div>
  );
}

const DROP = 'script, noscript, iframe, frame, frameset, object, embed, applet, base, link, meta[http-equiv], template, portal';

/** Replaces `doc`'s content with the email `html`, made inert and styled through the CSSOM. */
export function writeEmail(doc: Document, html: string): void {
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  const css: string[] = [];
  parsed.querySelectorAll('style').forEach((el) => {
    css.push(el.textContent ?? '');
    el.remove();
  });
  parsed.querySelectorAll(DROP).forEach((el) => el.remove());
  for (const el of Array.from(parsed.querySelectorAll('*'))) {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on') || name === 'srcdoc' || name === 'formaction' || name === 'action') {
        el.removeAttribute(attr.name);
      } else if ((name === 'href' || name === 'src' || name === 'xlink:href') && /^\s*(javascript|vbscript|data:text\/html)/i.test(attr.value)) {
        el.removeAttribute(attr.name);
      } else if (name === 'style') {
        el.setAttribute('data-fb-style', attr.value);
        el.removeAttribute('style');
      }
    }
  }

  const root = doc.importNode(parsed.documentElement, true);
  doc.replaceChild(root, doc.documentElement);
  root.querySelectorAll<HTMLElement>('[data-fb-style]').forEach((el) => {
    el.style.cssText = el.getAttribute('data-fb-style') ?? '';
    el.removeAttribute('data-fb-style');
  });

  // Links stay visible but are not followed from the preview (the unsubscribe link is real).
  css.push('a { pointer-events: none; }');
  const view = doc.defaultView as (Window & typeof globalThis) | null;
  if (view && 'CSSStyleSheet' in view && 'adoptedStyleSheets' in doc) {
    try {
      const sheet = new view.CSSStyleSheet();
      sheet.replaceSync(css.join('\n'));
      doc.adoptedStyleSheets = [sheet];
    } catch {
      // A browser without constructable sheets shows the email without its <style> rules.
    }
  }
}
