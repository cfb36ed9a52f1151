/**
 * The page's own elements, and its messages to the buyer. Data is rendered with
 * `textContent` only, so nothing from the API is ever parsed as HTML.
 */

export const $ = (id) => document.getElementById(id);

export function element(tag, properties, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, properties);
  node.append(...children);
  return node;
}

export function showError(message) {
  $('message').textContent = message;
}

export function showOutcome(tone, title, text) {
  const outcome = $('outcome');
  outcome.dataset.tone = tone;
  $('outcome-title').textContent = title;
  $('outcome-text').textContent = text;
  outcome.hidden = false;
}
