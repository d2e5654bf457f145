import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The enricher's folders depend on each other one way only: a folder that imports
 * another is never imported back by it, directly or around a longer loop. Loops
 * (triggers ↔ backfills, decisions → triggers → decisions) made every folder drag in
 * the others and hid which one a capability plugs into (docs/decisions/0022). Read
 * from the source files themselves (tests excluded: a test may reach anywhere), so a
 * loop cannot come back unnoticed.
 */

const SRC = __dirname;
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;
/** `from './x'`, `import './x'`, `import('./x')`, `require('./x')`: relative specifiers only (`@app/common` is not the enricher). */
const RELATIVE_IMPORT = /(?:\bfrom\s+|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]*)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name) ? [path] : [];
  });
}

/** The top-level folder of apps/enricher/src a path is in; undefined for the files at the root (the module and main wire everything). */
function folderOf(path: string): string | undefined {
  const parts = relative(SRC, path).split(sep);
  return parts.length > 1 ? parts[0] : undefined;
}

/** Folder → the folders it imports, each with one file that does it (for the message). */
function folderImports(files: readonly string[], read: (path: string) => string): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files) {
    const from = folderOf(file);
    if (!from) continue;
    for (const match of read(file).matchAll(RELATIVE_IMPORT)) {
      const to = folderOf(resolve(dirname(file), match[1]!));
      if (!to || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, relative(SRC, file));
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every loop of folders (a strongly connected component of more than one), each as the folders in it, sorted. Pure. */
function folderLoops(graph: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  // Tarjan's algorithm.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) loops.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return loops;
}

describe('folder imports in apps/enricher/src', () => {
  it('finds a loop of two folders and a longer one, and none in a chain', () => {
    const graph = (edges: Array<[string, string]>) => {
      const g = new Map<string, Map<string, string>>();
      for (const [from, to] of edges) g.set(from, (g.get(from) ?? new Map<string, string>()).set(to, `${from}/x.ts`));
      return g;
    };
    expect(folderLoops(graph([['triggers', 'backfills'], ['backfills', 'triggers']]))).toEqual([['backfills', 'triggers']]);
    expect(folderLoops(graph([['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd']]))).toEqual([['a', 'b', 'c']]);
    expect(folderLoops(graph([['a', 'b'], ['b', 'c'], ['a', 'c']]))).toEqual([]);
  });

  it('reads relative imports, exports and dynamic imports, not packages or the same folder', () => {
    const files = [join(SRC, 'a', 'one.ts'), join(SRC, 'a', 'inner', 'two.ts'), join(SRC, 'main.ts')];
    const text: Record<string, string> = {
      [files[0]!]: "import { x } from '../b/x';\nimport type { Y } from './inner/two';\nexport * from '../c/z';\nimport { z } from '@app/common';",
      [files[1]!]: "const d = await import('../../d/lazy');",
      [files[2]!]: "import { A } from './a/one';",
    };
    const graph = folderImports(files, (path) => text[path]!);
    expect([...graph.keys()]).toEqual(['a']);
    expect([...graph.get('a')!.keys()]).toEqual(['b', 'c', 'd']);
  });

  it('has no loops: each folder is imported only by folders it does not import', () => {
    const graph = folderImports(sourceFiles(SRC), (path) => readFileSync(path, 'utf8'));
    const described = folderLoops(graph).map((loop) =>
      loop.flatMap((from) => loop.filter((to) => graph.get(from)?.has(to)).map((to) => `${from} → ${to} (${graph.get(from)!.get(to)})`)).join(', '),
    );
    expect(described).toEqual([]);
  });
});
