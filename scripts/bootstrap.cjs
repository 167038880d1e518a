#!/usr/bin/env node
/**
 * First step of `npm start` / `npm test` (and their pnpm twins): installs the workspace when node_modules is
 * missing or older than pnpm-lock.yaml, with the pnpm version pinned in package.json (through npx when pnpm
 * is not installed). A no-op when everything is in place, so CI and daily use pay nothing for it.
 */
const { execSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pinned = require(path.join(root, 'package.json')).packageManager.split('@')[1];
const lock = path.join(root, 'pnpm-lock.yaml');
const installedLock = path.join(root, 'node_modules', '.pnpm', 'lock.yaml');

function upToDate() {
  if (!fs.existsSync(installedLock)) return false;
  return fs.readFileSync(installedLock, 'utf8').trim() === fs.readFileSync(lock, 'utf8').trim();
}

function pnpmCommand() {
  try {
    if (
      execSync('pnpm -v', { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() === pinned
    )
      return ['pnpm', []];
  } catch {
    // not installed
  }
  return ['npx', ['--yes', `pnpm@${pinned}`]];
}

const [cmd, prefix] = pnpmCommand();
if (!upToDate()) {
  process.stdout.write(`Installing dependencies with pnpm ${pinned}…\n`);
  const result = spawnSync(cmd, [...prefix, 'install', '--frozen-lockfile'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
if (cmd === 'npx') provideShim();

/**
 * turbo, run right after this script by the same npm script, looks for a `pnpm` binary on PATH and stops
 * without one. npm puts node_modules/.bin first on that PATH, so a shim there that runs the pinned pnpm
 * through npx gives every later step the same pnpm as the install (rewritten after each install).
 */
function provideShim() {
  const bin = path.join(root, 'node_modules', '.bin');
  fs.mkdirSync(bin, { recursive: true });
  const shim = path.join(bin, 'pnpm');
  const body = `#!/bin/sh\n# Written by scripts/bootstrap.cjs: no pnpm ${pinned} on PATH, so the pinned one runs through npx.\nexec npx --yes pnpm@${pinned} "$@"\n`;
  if (!fs.existsSync(shim) || fs.readFileSync(shim, 'utf8') !== body)
    fs.writeFileSync(shim, body, { mode: 0o755 });
}
