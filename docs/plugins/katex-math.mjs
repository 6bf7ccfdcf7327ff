// @ts-check
/**
 * TypeDoc plugin: typesets TeX in the guides at build time with KaTeX. `$…$` is inline math and a paragraph of
 * `$$ … $$` lines is display math; both become KaTeX HTML + MathML in the generated pages, so readers' browsers run
 * no script for it. The KaTeX stylesheet and fonts are copied into `assets/katex/` and linked from every page.
 * A TeX error is a build error naming the formula, never a silently raw formula.
 */
import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import katex from 'katex';
import { Application, JSX, RendererEvent } from 'typedoc';

const require = createRequire(import.meta.url);
const katexDist = dirname(require.resolve('katex/dist/katex.min.css'));

/**
 * Renders `tex` with KaTeX (throws on a TeX error).
 * @param {string} tex
 * @param {boolean} displayMode
 */
export function renderTex(tex, displayMode) {
  return katex.renderToString(tex, { displayMode, throwOnError: true, strict: 'error', output: 'htmlAndMathml' });
}

/**
 * Adds the `$…$` and `$$…$$` rules to a markdown-it instance.
 * @param {any} md
 */
export function mathPlugin(md) {
  md.inline.ruler.before('escape', 'math_inline', (/** @type {any} */ state, /** @type {boolean} */ silent) => {
    const src = state.src;
    const start = state.pos;
    if (src[start] !== '$' || src[start + 1] === '$') return false;
    // A '$' followed by a space or a digit is a price or a shell variable, not math.
    if (/[\s\d]/.test(src[start + 1] ?? ' ')) return false;
    let end = start + 1;
    while (end < state.posMax && !(src[end] === '$' && src[end - 1] !== '\\')) end++;
    if (end >= state.posMax || /\s/.test(src[end - 1])) return false;
    if (!silent) {
      const token = state.push('math_inline', 'math', 0);
      token.content = src.slice(start + 1, end);
    }
    state.pos = end + 1;
    return true;
  });
  md.block.ruler.before(
    'fence',
    'math_block',
    (/** @type {any} */ state, /** @type {number} */ startLine, /** @type {number} */ endLine, /** @type {boolean} */ silent) => {
      const lineText = (/** @type {number} */ n) => state.src.slice(state.bMarks[n] + state.tShift[n], state.eMarks[n]);
      if (lineText(startLine).trim() !== '$$') return false;
      let next = startLine + 1;
      while (next < endLine && lineText(next).trim() !== '$$') next++;
      if (next >= endLine) return false;
      if (silent) return true;
      const token = state.push('math_block', 'math', 0);
      token.block = true;
      token.content = state.getLines(startLine + 1, next, state.tShift[startLine], false);
      token.map = [startLine, next + 1];
      state.line = next + 1;
      return true;
    },
  );
  md.renderer.rules.math_inline = (/** @type {any[]} */ tokens, /** @type {number} */ idx) => renderTex(tokens[idx].content, false);
  md.renderer.rules.math_block = (/** @type {any[]} */ tokens, /** @type {number} */ idx) =>
    `<div class="math-display">${renderTex(tokens[idx].content, true)}</div>\n`;
}

/** @param {Application} app */
export function load(app) {
  app.on(Application.EVENT_BOOTSTRAP_END, () => {
    const previous = app.options.getValue('markdownItLoader');
    app.options.setValue('markdownItLoader', (/** @type {any} */ parser) => {
      previous(parser);
      mathPlugin(parser);
    });
  });
  app.renderer.hooks.on('head.end', (context) =>
    JSX.createElement(
      JSX.Fragment,
      null,
      JSX.createElement('link', { rel: 'stylesheet', href: context.relativeURL('assets/katex/katex.min.css', true) }),
      JSX.createElement('style', null, JSX.createElement(JSX.Raw, { html: '.math-display{overflow-x:auto;margin:1em 0}' })),
    ),
  );
  app.renderer.on(RendererEvent.END, (event) => {
    cpSync(join(katexDist, 'katex.min.css'), join(event.outputDirectory, 'assets', 'katex', 'katex.min.css'));
    cpSync(join(katexDist, 'fonts'), join(event.outputDirectory, 'assets', 'katex', 'fonts'), { recursive: true });
  });
}
