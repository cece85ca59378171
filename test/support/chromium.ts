import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for the browser tests: the Debian package at /usr/bin/chromium (CHROMIUM_PATH overrides),
 * no sandbox (tests run as root in CI), no GPU and no background traffic (there is no network).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
