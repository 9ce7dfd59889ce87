#!/usr/bin/env node
// Runs after tsup in every package's `build`: repairs the namespaces (`export * as F`, `export * as models`) in the
// bundled declarations dist/*.d.ts and dist/*.d.cts.
//
// Why: tsup's declaration bundler (rollup-plugin-dts 6.1, bundled in tsup 8.5) writes a namespace member as
// `declare const ns_X: typeof X;` plus `export { ns_X as X }` whenever X is not declared in the same output file —
// that is, whenever X lives in a chunk shared with another entry point (models' architectures are shared with
// '@cnn/models/node', core's geometry options with '@cnn/core/geometry'). That alias keeps only X's value: a type
// (`models.AlexNetConfig`) then fails with TS2693 in every consumer that checks library types, and a class
// (`models.ResNet`) loses its instance type. Exporting the imported binding itself (`export { X }` inside the
// namespace) keeps every meaning X has, which is what the bundler already does when the names differ.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Returns the declaration text with every value-only alias of an outside binding replaced by the binding itself. */
export function repairNamespaces(text) {
  let out = text;
  for (const [block, ns, specifiers] of text.matchAll(/declare namespace (\w+) \{\s*export \{([^}]*)\};?\s*\}/g)) {
    const repaired = specifiers.replace(/\b(\w+) as (\w+)\b/g, (specifier, local, exported) => {
      const alias = `declare const ${local}: typeof ${exported};\n`;
      const isValueOnlyAlias = local === `${ns}_${exported}` && out.includes(alias) && !new RegExp(`\\btype ${local}\\b`).test(out);
      if (!isValueOnlyAlias) return specifier;
      out = out.replace(alias, '');
      return exported;
    });
    out = out.replace(block, block.replace(specifiers, repaired));
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dist = process.argv[2] ?? 'dist';
  let repairedFiles = 0;
  for (const file of readdirSync(dist, { recursive: true })) {
    if (!/\.d\.(c|m)?ts$/.test(file)) continue;
    const path = join(dist, file);
    const text = readFileSync(path, 'utf8');
    const repaired = repairNamespaces(text);
    if (repaired !== text) {
      writeFileSync(path, repaired);
      repairedFiles++;
    }
  }
  console.log(`dts namespaces: repaired ${repairedFiles} declaration file(s) in ${dist}`);
}
