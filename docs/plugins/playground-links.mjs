// @ts-check
/**
 * TypeDoc plugin: guides link to the playground as `[text](playground:#dataset=…&methodA=…)`; every generated page
 * gets those links rewritten to the site's `demo/index.html#…`, relative to the page, so they work wherever the site
 * is hosted (the playground is built into `<site>/demo/` by scripts/build-site.mjs). A plain relative link would be
 * taken by typedoc for a source file to copy.
 */
import { PageEvent } from 'typedoc';

/**
 * The href for `playground:#hash` seen from the page at `pageUrl` (e.g. `documents/Guide.html`).
 * @param {string} pageUrl
 * @param {string} hash
 */
export function playgroundHref(pageUrl, hash) {
  const depth = pageUrl.split('/').length - 1;
  return `${'../'.repeat(depth)}demo/index.html${hash}`;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.renderer.on(PageEvent.END, (page) => {
    if (!page.contents) return;
    page.contents = page.contents.replace(/href="playground:(#[^"]*)?"/g, (_, hash = '') => `href="${playgroundHref(page.url, hash)}"`);
  });
}
