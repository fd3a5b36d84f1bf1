/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The Go server (`firebreak serve`) listens on :8080 by default. In development the
// dashboard runs on Vite's own port and forwards everything that belongs to the
// backend, so cookies stay same-origin exactly as when the binary serves dist/.
// FIREBREAK_DEV_BACKEND overrides the target (e.g. a server on another port).
const backend = process.env.FIREBREAK_DEV_BACKEND ?? 'http://127.0.0.1:8080';
const backendPaths = ['/api', '/healthz', '/readyz', '/metrics', '/webhooks'];

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: Object.fromEntries(backendPaths.map((path) => [path, { target: backend }])),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    // A shared 2-core CI machine can take more than Vitest's 5 s default for a
    // component test that waits on user events; a hung test still fails.
    testTimeout: 20_000,
    unstubGlobals: true,
    // Times on screen are local; tests read them in UTC.
    env: { TZ: 'UTC' },
  },
});
