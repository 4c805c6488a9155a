import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    // One file per chunk, no inline scripts: the CSP allows only 'self' scripts.
    modulePreload: { polyfill: false },
  },
});
