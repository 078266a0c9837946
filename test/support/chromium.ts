import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';

/**
 * Real headless Chromium for the browser tests (Debian's package, driven by playwright-core).
 * A user's machine may not have it: the tests then skip with one clear line; CI (`.ci/run`) installs it and sets
 * REQUIRE_CHROMIUM=1, which turns the skip into a failure.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Where screenshots are kept as test artefacts (ignored by git). */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', '.artifacts', 'screenshots');

/** Null (and one notice) when Chromium is not installed and not required. */
export function chromiumAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const line = `${suite}: Chromium not found at ${CHROMIUM_PATH}; install it (apt-get install -y chromium) or set CHROMIUM_PATH to run the browser tests.`;
  if (process.env.REQUIRE_CHROMIUM === '1') throw new Error(`${line} REQUIRE_CHROMIUM=1 makes this a failure.`);
  process.stdout.write(`${line} Skipping them.\n`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, headless: true });
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}
