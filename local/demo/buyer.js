import { $ } from './page.js';
import { PATHS } from './paths.js';

/** The demo buyer: made up once per browser profile, kept in its local storage. */
const BUYER_KEY = 'demoBuyer';

export function buyer() {
  let id = localStorage.getItem(BUYER_KEY);
  if (!id) {
    id = 'demo-' + Math.random().toString(36).slice(2, 10);
    localStorage.setItem(BUYER_KEY, id);
  }
  return id;
}

/** "New buyer": forgets this one, and starts again as another. */
export function listenToNewBuyer() {
  $('new-buyer').addEventListener('click', () => {
    localStorage.removeItem(BUYER_KEY);
    location.assign(PATHS.home);
  });
}
