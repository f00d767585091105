// Builds the web app into web/dist, served by `tianbao serve`.
// The province map comes from the echarts@4 package (ECharts 5 no longer
// ships GeoJSON); it is copied in at build time, never committed.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { simplifyProvince } from './mapSimplify.js';

const require = createRequire(import.meta.url);

function provinceMaps() {
  const provinces = ['guangdong'];
  const source = (name) =>
    require.resolve(`echarts4/map/json/province/${name}.json`);
  // Decoded and simplified for the dashboard (see mapSimplify.js).
  const map = (name) => JSON.stringify(simplifyProvince(JSON.parse(readFileSync(source(name), 'utf8'))));
  return {
    name: 'tianbao-province-maps',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = req.url.match(/^\/maps\/(\w+)\.json$/);
        if (!m || !provinces.includes(m[1])) return next();
        res.setHeader('content-type', 'application/json');
        res.end(map(m[1]));
      });
    },
    generateBundle() {
      for (const name of provinces) {
        this.emitFile({ type: 'asset', fileName: `maps/${name}.json`, source: map(name) });
      }
    },
  };
}

export default defineConfig({
  plugins: [vue(), provinceMaps()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1600,
    rollupOptions: {
      output: {
        manualChunks: {
          vue: ['vue', 'vue-router'],
          'element-plus': ['element-plus', '@element-plus/icons-vue'],
          // Only the ECharts parts that src/charts.js and the dashboard
          // register (echarts/core), not the whole library.
          echarts: ['echarts/core'],
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
