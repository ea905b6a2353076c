// Dolos runner for bench/similarity.sh.
//
//   node bench/similarity/dolos.mjs --modules DIR [--language java] < pairs.tsv > scores.tsv
//
// Reads `left<TAB>right` lines (grouped by left: every left with all its rights), analyses each
// group (left + its rights) with one fresh Dolos instance and default options — the documented
// API of @dodona/dolos-lib: `new Dolos({ language }).analyzePaths(paths)` then
// `report.getPair(a, b)` — and writes `left<TAB>right<TAB>similarity<TAB>longest` per pair.
// `similarity` is Dolos's own pair similarity, (leftCovered + rightCovered) / (leftTotal +
// rightTotal): symmetric, the figure Dolos ranks pairs by. DIR is the node_modules directory
// holding @dodona/dolos-lib (bench/similarity.sh installs it in its cache).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const modules = opt("--modules", process.env.DOLOS_MODULES);
const language = opt("--language", "java");
if (!modules) {
  console.error("dolos.mjs: --modules DIR (node_modules with @dodona/dolos-lib) is required");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), "noop.js"));
const { Dolos } = await import(pathToFileURL(require.resolve("@dodona/dolos-lib")).href);

// Group the pairs by their left file, keeping the input order.
const groups = new Map();
for (const line of readFileSync(0, "utf8").split("\n")) {
  if (!line.trim()) continue;
  const [left, right] = line.split("\t");
  if (!groups.has(left)) groups.set(left, []);
  groups.get(left).push(right);
}

const out = [];
for (const [left, rights] of groups) {
  const paths = [left, ...rights.filter(r => r !== left)];
  const dolos = new Dolos({ language });
  const report = await dolos.analyzePaths(paths);
  const byPath = new Map(report.files.map(f => [f.path, f]));
  const l = byPath.get(left);
  for (const right of rights) {
    const r = byPath.get(right);
    if (!l || !r) {
      console.error(`dolos.mjs: ${!l ? left : right} not in the report`);
      continue;
    }
    const pair = report.getPair(l, r);
    out.push(`${left}\t${right}\t${pair.similarity}\t${pair.longest}`);
  }
}
process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
