// The demo product's own script: boots Beckon for the current user. A real
// app passes its logged-in user; here `?user=…` in the URL picks one, and
// without it the visitor is anonymous.
window.Beckon = window.Beckon || function () { (window.Beckon.q = window.Beckon.q || []).push(arguments); };
(function () {
  var params = new URLSearchParams(location.search);
  var user = params.get('user');
  Beckon('boot', user ? { user_id: user, attributes: { plan: params.get('plan') || 'pro' } } : {});
})();
