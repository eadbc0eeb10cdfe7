import type { CommandSpec } from './spec.js';

export const listCommands: CommandSpec[] = [];
