/**
 * The only way a page becomes HTML: Preact renders the view, escaping every text and attribute
 * value; a raw value would have to be marked (dangerouslySetInnerHTML), and no view does so.
 */
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

export function render<P>(view: VNode<P>): string {
  return `<!doctype html>\n${renderToString(view)}`;
}
