/**
 * The portal's only script, served from `/portal/portal.js` (the CSP allows scripts from the gateway itself,
 * never inline): copy buttons for credentials, and times shown in the person's own time zone. Pages work
 * without it; it only adds what a browser can do better than the server.
 */
export const PORTAL_SCRIPT = `'use strict';
document.querySelectorAll('time[data-local-time]').forEach(function (el) {
  var when = new Date(el.getAttribute('datetime'));
  if (!isNaN(when.getTime())) {
    el.textContent = when.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    el.title = el.getAttribute('datetime');
  }
});
function tick() {
  document.querySelectorAll('[data-remaining]').forEach(function (el) {
    var left = Math.max(0, Number(el.getAttribute('data-remaining')) - Date.now() / 1000);
    var minutes = Math.floor(left / 60), hours = Math.floor(minutes / 60);
    el.textContent = minutes < 1 ? 'less than a minute' : hours === 0 ? minutes + ' min' : hours + ' h ' + (minutes % 60) + ' min';
  });
}
tick();
setInterval(tick, 30000);
document.querySelectorAll('button[data-copy]').forEach(function (button) {
  var target = document.getElementById(button.getAttribute('data-copy'));
  if (target === null || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    navigator.clipboard.writeText(target.textContent).then(function () {
      button.textContent = 'Copied';
      setTimeout(function () { button.textContent = 'Copy'; }, 2000);
    });
  });
});
`;
