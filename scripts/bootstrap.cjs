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

if (!upToDate()) {
  const [cmd, prefix] = pnpmCommand();
  process.stdout.write(`Installing dependencies with pnpm ${pinned}…\n`);
  const result = spawnSync(cmd, [...prefix, 'install', '--frozen-lockfile'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
