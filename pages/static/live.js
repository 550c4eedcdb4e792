// The timeline of a running process redraws itself, so the current wait grows while the page is open.
(function () {
  var every = 15000;
  function refresh() {
    var figure = document.getElementById('timeline');
    if (!figure || !figure.dataset.live || document.hidden) return;
    fetch(figure.dataset.live, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (r) {
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var holder = document.createElement('div');
        holder.innerHTML = html;
        var next = holder.querySelector('#timeline');
        if (next) figure.replaceWith(next);
      })
      .catch(function () {});
  }
  setInterval(refresh, every);
})();
