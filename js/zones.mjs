// Angular apps load zone.js, which patches timers, event listeners,
// observers and promises so that Angular checks the app's whole component
// tree after every task that runs in the app's zone. An SDK called from the
// app's code would run its own listeners (pointer moves, scrolls, DOM
// changes), timers and fetches in that zone: a check of the app on every
// mouse move. So calls into the SDK run in zone.js's root zone (what
// Angular's `runOutsideAngular` does), and a callback the app passes to
// `on` goes back to the zone it was passed from, so what it changes in the
// app is seen. Without zone.js on the page this is a plain call.
// Shared by the loader (bundled into it) and the npm package (beside it).

/** zone.js's `Zone`, when the page has it; read per call, as zone.js may load after the loader. */
function zones() {
  const Zone = typeof window === 'object' && window ? window.Zone : undefined;
  return Zone && Zone.root && typeof Zone.root.run === 'function' && Zone.current ? Zone : null;
}

/** `fn(...args)`, run in zone.js's root zone when the page has zone.js. */
export function outsideTheAppsZone(fn, ...args) {
  const Zone = zones();
  return Zone && Zone.current !== Zone.root ? Zone.root.run(fn, null, args) : fn(...args);
}

/**
 * The third argument of the call `name`, for the SDK: an `on` callback is
 * bound to `zone` (the one the README's snippet noted as the call was
 * queued, before the SDK was there) or, without it, to the caller's zone;
 * not to the root zone. Anything else is passed as it is.
 */
export function boundToZone(name, arg2, zone) {
  const Zone = zones();
  if (name !== 'on' || !Zone || typeof arg2 !== 'function') return arg2;
  const to = zone || Zone.current;
  return to === Zone.root || typeof to.wrap !== 'function' ? arg2 : to.wrap(arg2, 'Beckon.on');
}
