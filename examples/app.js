// The demo product's own script: boots Beckon for the current user. A real
// app passes its logged-in user; here `?user=…` in the URL picks one, and
// without it the visitor is anonymous. `?locale=de` (en, de, fr, es, ja, ar)
// shows the SDK's words and the translated demo content, `?name=Ada` fills
// the `{{first_name|there}}` placeholders.
window.Beckon = window.Beckon || function () { (window.Beckon.q = window.Beckon.q || []).push(arguments); };
(function () {
  var params = new URLSearchParams(location.search);
  var user = params.get('user');
  var options = user ? { user_id: user, attributes: { plan: params.get('plan') || 'pro' } } : {};
  if (user && params.get('name')) options.attributes.first_name = params.get('name');
  if (params.get('locale')) options.locale = params.get('locale');
  Beckon('boot', options);
  // Buttons marked data-track="event" tell Beckon what the user did, which
  // completes checklist tasks and advances tours.
  document.addEventListener('click', function (e) {
    var el = e.target && e.target.closest ? e.target.closest('[data-track]') : null;
    if (el) Beckon('track', el.getAttribute('data-track'));
  });
})();
