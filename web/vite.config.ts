// One Vite build for every web page the server serves (browser pad, dashboard, hall wall).
// `npm install` builds it (postinstall) and `npm start` rebuilds it when a source is newer.
import { defineConfig } from 'vite'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readdirSync, existsSync } from 'node:fs'

const root = dirname(fileURLToPath(import.meta.url))
// Every folder of web/ with an index.html is a page.
const pages = Object.fromEntries(
  readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(resolve(root, d.name, 'index.html')))
    .map((d) => [d.name, resolve(root, d.name, 'index.html')]),
)

export default defineConfig({
  root,
  base: '/app/',
  logLevel: 'warn',
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    rollupOptions: { input: pages },
    chunkSizeWarningLimit: 2000,
  },
})
