#!/usr/bin/env node
// Bundles the browser client and the <tidings-bell> widget (no Node imports) into dist/ and public/.
import { existsSync } from 'node:fs';
if (!existsSync('src/client/index.ts')) process.exit(0);
const { buildClient } = await import('./client-bundle.mjs');
await buildClient();
