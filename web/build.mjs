// Builds the web application: node build.mjs --modules DIR/node_modules --out DIR
// (run by CMake, web/CMakeLists.txt).  The TypeScript is type-checked, then
// one minified bundle and one style
// sheet with content hashes in their names under assets/ (served immutable),
// index.html naming them (served no-cache), and a .gz twin of each text file
// (the gateway sends it to clients accepting gzip).
import { mkdirSync, rmSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import { createRequire } from 'node:module';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  if (i < 0 || !process.argv[i + 1]) throw new Error(`usage: node build.mjs --modules DIR --out DIR (missing ${name})`);
  return process.argv[i + 1];
};
const modules = arg('--modules');
const out = arg('--out');
const here = dirname(fileURLToPath(import.meta.url));
const esbuild = await import(pathToFileURL(join(modules, 'esbuild', 'lib', 'main.js')).href);

// Type check first (esbuild only strips the types): tsconfig.json, with the
// packages resolved in the build's node_modules (web/ has none of its own).
{
  const ts = createRequire(join(modules, 'noop.js'))('typescript');
  const cfg = ts.parseJsonConfigFileContent(ts.readConfigFile(join(here, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, here);
  const program = ts.createProgram(cfg.fileNames, { ...cfg.options, baseUrl: modules, paths: { '*': [join(modules, '*')] } });
  const diags = ts.getPreEmitDiagnostics(program);
  if (diags.length) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => here, getNewLine: () => '\n' };
    process.stderr.write(ts.formatDiagnostics(diags, host));
    process.exit(1);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });
const result = await esbuild.build({
  entryPoints: { app: join(here, 'src', 'main.tsx'), style: join(here, 'src', 'app.css') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  nodePaths: [modules],
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const files = Object.keys(result.metafile.outputs).map((f) => relative(out, f));
const js = files.find((f) => f.endsWith('.js'));
const css = files.find((f) => f.endsWith('.css'));
const html = readFileSync(join(here, 'src', 'index.html'), 'utf8')
  .replace('%APP_JS%', '/' + js)
  .replace('%APP_CSS%', '/' + css);
writeFileSync(join(out, 'index.html'), html);

const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
let jsGzip = 0;
for (const f of walk(out)) {
  if (!/\.(js|css|html|svg|json)$/.test(f)) continue;
  const gz = gzipSync(readFileSync(f), { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(f + '.gz', gz);
  if (f.endsWith('.js')) jsGzip += gz.length;
}
writeFileSync(join(out, 'build.json'), JSON.stringify({ js, css, js_gzip_bytes: jsGzip }) + '\n');
