import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { PolicySourceMap, Position } from './types.js';

export type PolicyPath = readonly (string | number)[];

/** The source map of a parsed file, plus where a key sits, for issues about the key itself. */
export interface YamlSourceMap extends PolicySourceMap {
  /** The position of the last segment's key (`foo` in `foo: 1`); the value's position for list items. */
  keyPositionOf(path: PolicyPath): Position | undefined;
}

interface Located {
  readonly value: Position | undefined;
  readonly key: Position | undefined;
}

const START: Position = { line: 1, col: 1 };

/**
 * Maps paths such as `['teams', 1, 'models', 0]` to 1-based positions in the
 * YAML text. Where a key is duplicated the last one wins, as it does for the
 * parsed value; a path that goes past what the file holds (a missing field)
 * resolves to the nearest parent that exists.
 */
export function yamlSourceMap(file: string, doc: Document, lineCounter: LineCounter): YamlSourceMap {
  const at = (node: Node | null | undefined): Position | undefined => {
    if (!node?.range) return undefined;
    const { line, col } = lineCounter.linePos(node.range[0]);
    return { line, col };
  };

  const locate = (path: PolicyPath): Located => {
    let node: unknown = doc.contents;
    let found: Located = { value: at(doc.contents) ?? START, key: undefined };
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.findLast((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return { value: found.value, key: found.value };
        const key = at(pair.key as Node);
        node = pair.value;
        found = { value: at(pair.value as Node | null) ?? key, key };
      } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
        node = node.items[segment];
        const value = at(node as Node | null) ?? found.value;
        found = { value, key: value };
      } else {
        return { value: found.value, key: found.value };
      }
    }
    return found;
  };

  return {
    file,
    positionOf: (path) => locate(path).value,
    keyPositionOf: (path) => locate(path).key ?? locate(path).value,
  };
}

export interface DuplicateKey {
  readonly path: PolicyPath;
  readonly key: string;
  readonly position: Position;
  readonly first: Position;
}

/** Keys given twice in one mapping: YAML forbids it, and a silent "last one wins" hides typos. */
export function duplicateKeys(doc: Document, lineCounter: LineCounter): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  const visit = (node: unknown, path: PolicyPath): void => {
    if (isMap(node)) {
      const seen = new Map<string, Position>();
      for (const pair of node.items) {
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const key = String(pair.key.value);
        const here = position(pair.key.range[0]);
        const first = seen.get(key);
        if (first) out.push({ path: [...path, key], key, position: here, first });
        else seen.set(key, here);
        visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, [...path, i]));
    }
  };
  visit(doc.contents, []);
  return out;
}
