// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for tests
// that check what users see: figures really drawn, titles shown as text, no script run.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // This machine has no network: keep Chromium from trying to reach Google.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface OpenedPage {
  page: Page;
  dialogs: string[];
  pageErrors: string[];
}

/** Opens a local HTML file, recording any alert/confirm dialogs and page errors. */
export async function openFile(browser: Browser, file: string, viewport = { width: 1200, height: 900 }): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport });
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return { page, dialogs, pageErrors };
}
