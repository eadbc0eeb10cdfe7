#!/usr/bin/env node
// Copies the non-TypeScript files the built server reads at run time from src/ into dist/
// (tsc emits only .js/.d.ts). Run by `npm run build` after tsc.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Paths relative to src/ (and to dist/). */
const ASSETS = ['commands/redis-docs.json'];

for (const rel of ASSETS) {
  const from = path.join(root, 'src', rel);
  const to = path.join(root, 'dist', rel);
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(from, to);
}
