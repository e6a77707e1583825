// Copy the npm-installed browser bundles into static/vendor/, which the service serves at /console/static/vendor.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "static", "vendor");
mkdirSync(vendor, { recursive: true });
for (const [from, to] of [["cytoscape/dist/cytoscape.min.js", "cytoscape.min.js"]]) {
  copyFileSync(join(here, "node_modules", from), join(vendor, to));
  console.log(`console: ${from} -> static/vendor/${to}`);
}
