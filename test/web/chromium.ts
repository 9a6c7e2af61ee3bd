// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core
// (no browser is ever downloaded; .ci/run installs the Debian package).
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Without Chromium the browser tests are skipped on a developer's machine, never in CI. */
export const noChromium = !existsSync(CHROMIUM_PATH) && !process.env.CI

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  })
}

/** Where screenshots go (gitignored): test-results/<folder>/. */
export function screenshotDir(folder: string): string {
  const dir = join(import.meta.dirname, '../../test-results', folder)
  mkdirSync(dir, { recursive: true })
  return dir
}
