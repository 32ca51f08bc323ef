/**
 * `fn` at most once per turn of the event loop, however often the returned function is called in it: the
 * run comes after this turn's I/O (setImmediate). For checks that a committed batch would otherwise make
 * once per message (the receive path's prekey count, the expiry timer's re-arm).
 */
export function oncePerTurn(fn: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      fn();
    });
  };
}
