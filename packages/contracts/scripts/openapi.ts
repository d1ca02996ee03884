/** Writes openapi.json from the endpoint declarations: `npm run openapi`. */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../src/openapi.js';

const file = new URL('../openapi.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
