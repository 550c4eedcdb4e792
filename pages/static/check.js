// Forms are checked as they are typed, by the same rules the API applies (POST /check runs the
// route's own schema; nothing is taken). Only the fields the person has touched show their issues.
(function () {
  function live(form) {
    var touched = {};
    var timer = null;
    var asked = 0;
    function clear() {
      var old = form.querySelectorAll('.live-error');
      for (var i = 0; i < old.length; i++) {
        var input = form.querySelector('[aria-describedby~="' + old[i].id + '"]');
        if (input) {
          input.removeAttribute('aria-invalid');
          var rest = (input.getAttribute('aria-describedby') || '').replace(old[i].id, '').trim();
          if (rest) input.setAttribute('aria-describedby', rest);
          else input.removeAttribute('aria-describedby');
        }
        old[i].parentNode.removeChild(old[i]);
      }
    }
    function show(issues) {
      clear();
      for (var i = 0; i < issues.length; i++) {
        var issue = issues[i];
        if (!touched[issue.path]) continue;
        var input = form.querySelector('[name="' + issue.path.replace(/"/g, '') + '"]');
        var field = input && input.closest('.field');
        if (!field || field.querySelector('.live-error')) continue;
        var note = document.createElement('p');
        note.className = 'error live-error';
        note.id = (input.id || issue.path.replace(/[^A-Za-z0-9_-]/g, '-')) + '-live';
        note.setAttribute('role', 'status');
        note.textContent = issue.message;
        field.appendChild(note);
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', ((input.getAttribute('aria-describedby') || '') + ' ' + note.id).trim());
      }
    }
    function check() {
      var mine = ++asked;
      fetch('/check', { method: 'POST', credentials: 'same-origin', body: new URLSearchParams(new FormData(form)) })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (answer) {
          if (answer && mine === asked) show(answer.issues || []);
        })
        .catch(function () {});
    }
    function touch(event) {
      if (!event.target.name || event.target.name.charAt(0) === '_') return;
      touched[event.target.name] = true;
      clearTimeout(timer);
      timer = setTimeout(check, event.type === 'change' ? 0 : 600);
    }
    form.addEventListener('input', touch);
    form.addEventListener('change', touch);
  }
  var forms = document.querySelectorAll('form.step');
  for (var i = 0; i < forms.length; i++) live(forms[i]);
})();
