/**
 * Transpiles the sources a bench loads in its own process (apps, libs, sandbox,
 * test support, bench) to .run/bench-js, file by file, without type checking —
 * what ts-node's transpile-only mode does on the fly, done ahead of time so the
 * measured process carries neither the TypeScript compiler nor ts-node's
 * source-map hooks (which would count in its RSS and CPU but not in production's,
 * where services run compiled JavaScript).
 *
 * Run: node -r ts-node/register/transpile-only bench/transpile.ts
 * Then: TS_NODE_BASEURL=.run/bench-js node -r tsconfig-paths/register .run/bench-js/bench/<bench>.js
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, '.run', 'bench-js');
const SOURCES = ['apps', 'libs', 'sandbox', 'test/support', 'bench'];
const SKIP = /\.(spec|int-spec|e2e-spec|fuzz\.int-spec)\.ts$|\.d\.ts$/;

const { config } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
const compilerOptions: ts.CompilerOptions = { ...options, sourceMap: false, inlineSourceMap: false, declaration: false, noEmit: false, module: ts.ModuleKind.CommonJS };

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules') yield* tsFiles(path);
    } else if (name.endsWith('.ts') && !SKIP.test(name)) yield path;
  }
}

rmSync(OUT, { recursive: true, force: true });
let count = 0;
for (const source of SOURCES) {
  for (const file of tsFiles(join(ROOT, source))) {
    const { outputText, diagnostics } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions, fileName: file, reportDiagnostics: true });
    if (diagnostics?.length) throw new Error(`${relative(ROOT, file)}: ${ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, '\n')}`);
    const target = join(OUT, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
    count += 1;
  }
}
process.stdout.write(`transpiled ${count} files to ${relative(ROOT, OUT)}\n`);
