import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Dev: `npm run dev -w @meridian/web` with the server on :3000 (`npm start`); /api is proxied so
// the session cookie stays same-origin. Production: the server serves dist/ at the same origin.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.MERIDIAN_API ?? 'http://localhost:3000', changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
});
