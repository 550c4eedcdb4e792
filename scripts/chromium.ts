// The browser the page tests drive: Debian's chromium (playwright-core brings no browser of its
// own). Found at CHROMIUM_PATH or /usr/bin/chromium; installed with apt-get when missing and this
// process may (root, with apt-get), as CI's machine and a fresh developer machine are.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const chromiumPath = (): string => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function ensureChromium(log: (msg: string) => void = () => undefined): string {
  const path = chromiumPath();
  if (existsSync(path)) return path;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`no browser at ${path}: install Debian's chromium (sudo apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  log('installing chromium with apt-get (once)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env, timeout: 10 * 60_000 });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env, timeout: 20 * 60_000 });
  if (!existsSync(path)) throw new Error(`apt-get installed chromium, but ${path} is still missing; set CHROMIUM_PATH`);
  return path;
}
