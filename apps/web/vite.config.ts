import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { chinaGeo } from './china-geo-plugin.ts';

export default defineConfig({
  plugins: [react(), chinaGeo()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/v1': 'http://127.0.0.1:7070',
      '/health': 'http://127.0.0.1:7070',
    },
  },
});
