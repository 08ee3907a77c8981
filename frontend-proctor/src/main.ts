import { startEarly } from './app/core/early-start';
import { earlySubscription } from './app/core/early-routes';
import { prefetchPages } from './app/core/page-loaders';

/** On a live view's address, Angular waits at most this long for the early player's first frame, ms. */
const EARLY_PICTURE_FIRST_MS = 600;

// Before Angular: the session check, the proctor socket (and a live view's subscription) and,
// on a live view's address, the player itself (core/early-player.ts), whose first frame comes
// before Angular's start (both would share this machine's cores). This file imports nothing of
// Angular; bootAngular() fetches the page's code and Angular's (bootstrap.ts).
startEarly(location);
const liveStream = earlySubscription(location.pathname, location.search);
if (liveStream === null) bootAngular();
else {
  import('./app/core/early-player')
    .then((m) => (m.startEarlyPlayer(liveStream) ? m.earlyFirstFrame(EARLY_PICTURE_FIRST_MS) : undefined))
    .catch(() => undefined)
    .then(bootAngular);
}

function bootAngular(): void {
  prefetchPages(location.pathname);
  void import('./bootstrap');
}
