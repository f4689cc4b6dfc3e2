import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Built with `vite build web` from the repository root: this folder is Vite's root, so the page lands
// in web/dist, which wrangler.jsonc serves as the Worker's static assets.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // One screen that needs React, the AI SDK and the Markdown pipeline at first paint (~280 kB
    // gzipped): splitting it would only add round trips.
    chunkSizeWarningLimit: 1100,
  },
});
