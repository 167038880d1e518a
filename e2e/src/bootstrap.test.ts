import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The README promises that `npm start` / `npm test` work with only Node (node, npm, npx) and no pnpm: the
// bootstrap installs the workspace through npx and turbo, which runs next, must find a pnpm too.
const repo = path.resolve(__dirname, '..', '..');

/** A PATH with every command this machine has except pnpm, as on a machine where it was never installed. */
function pathWithoutPnpm(dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!d || !fs.existsSync(d) || d.includes('node_modules')) continue;
    for (const name of fs.readdirSync(d)) {
      if (/^pnp[mx]/.test(name) || fs.existsSync(path.join(bin, name))) continue;
      fs.symlinkSync(path.join(d, name), path.join(bin, name));
    }
  }
  return bin;
}

/** The working tree's files that git does not ignore (not a clone of HEAD: the bootstrap under test is this one). */
function copyTracked(to: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repo,
  })
    .toString()
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    const from = path.join(repo, f);
    if (!fs.existsSync(from)) continue;
    fs.mkdirSync(path.dirname(path.join(to, f)), { recursive: true });
    fs.copyFileSync(from, path.join(to, f));
  }
}

describe('the two commands on a machine with only Node', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tikethet-nopnpm-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('npm run build installs through npx and turbo then builds with the pinned pnpm', () => {
    const bin = pathWithoutPnpm(dir);
    const env = { ...process.env, PATH: bin, CI: 'true', TURBO_TELEMETRY_DISABLED: '1' };
    expect(spawnSync('sh', ['-c', 'command -v pnpm'], { env }).status).not.toBe(0);
    const work = path.join(dir, 'repo');
    copyTracked(work);
    const run = spawnSync('npm', ['run', 'build', '--', '--filter=@tikethet/domain'], {
      cwd: work,
      env,
      encoding: 'utf8',
      timeout: 280_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).not.toMatch(/Unable to find package manager binary/);
    if (run.status !== 0) console.log(output.slice(-3000));
    expect(run.status).toBe(0);
    expect(fs.existsSync(path.join(work, 'packages', 'domain', 'dist', 'index.js'))).toBe(true);
  }, 300_000);
});
