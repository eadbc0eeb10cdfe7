/**
 * Copy-on-write for the nodes of lists and streams while a snapshot writes them in pieces.
 *
 * A frozen view (FrozenList, a stream's pinNodes) pins the node objects it will read; a node
 * with pins must not change in place. The owner changes nodes only through writableAt, which
 * swaps in a copy of a pinned node first, so the view keeps reading the original.
 */

/** A node a frozen view can pin. */
export interface PinnableNode<T> {
  /** Views still to read this node. */
  pins: number;
  /** A copy with the same content, to change instead of this node. */
  copy(): T;
}

/** nodes[i], replaced by its copy first if a frozen view still needs it. */
export function writableAt<T extends PinnableNode<T>>(nodes: Array<T | undefined>, i: number): T {
  const n = nodes[i]!;
  if (n.pins === 0) return n;
  const c = n.copy();
  nodes[i] = c;
  return c;
}

/** Nodes from index `from` on still pinned (tests: none once every snapshot is over). */
export function pinnedCount(nodes: ReadonlyArray<{ pins: number } | undefined>, from: number): number {
  let n = 0;
  for (let i = from; i < nodes.length; i++) if (nodes[i]!.pins !== 0) n++;
  return n;
}
