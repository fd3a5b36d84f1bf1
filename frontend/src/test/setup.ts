import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// findBy*/waitFor give up after 1 s by default; a whole incident page answering
// from the fake API can take longer on a shared 2-core machine (seen: the first
// findByRole of a page test timing out under load). A missing element still fails.
configure({ asyncUtilTimeout: 5000 });

// Charts (recharts' ResponsiveContainer) measure their box; jsdom has no layout.
if (!('ResizeObserver' in globalThis)) {
  class ResizeObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  globalThis.ResizeObserver = ResizeObserverStub as unknown as typeof ResizeObserver;
}

afterEach(() => {
  cleanup();
  localStorage.clear();
});
