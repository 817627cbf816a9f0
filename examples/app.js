// The demo product's own script: boots Beckon for the current user. A real
// app passes its logged-in user; here `?user=…` in the URL picks one, and
// without it the visitor is anonymous.
// The snippet: queues calls until the SDK has loaded; on() answers its
// unsubscribe function even then.
window.Beckon = window.Beckon || function () { var c = arguments; (Beckon.q = Beckon.q || []).push(c); if (c[0] === 'on') return function () { c.off ? c.off() : (c.cancelled = 1); }; };
(function () {
  var params = new URLSearchParams(location.search);
  var user = params.get('user');
  Beckon('boot', user ? { user_id: user, attributes: { plan: params.get('plan') || 'pro' } } : {});
})();
