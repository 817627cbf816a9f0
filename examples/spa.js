// A minimal client-side router, as a single-page app has: links change the
// URL with history.pushState and the view re-renders without a page load.
(function () {
  var views = {
    overview: ['Overview', 'Your key numbers at a glance.'],
    reports: ['Reports', 'Scheduled reports arrive by email every Monday.'],
    settings: ['Settings', 'Team, billing and integrations.'],
  };
  function render() {
    var view = new URLSearchParams(location.search).get('view') || 'overview';
    var v = views[view] || views.overview;
    document.getElementById('view-title').textContent = v[0];
    document.getElementById('view-body').textContent = v[1];
  }
  document.getElementById('spa-nav').addEventListener('click', function (e) {
    var a = e.target.closest('a[data-route]');
    if (!a) return;
    e.preventDefault();
    history.pushState({}, '', a.getAttribute('href'));
    render();
  });
  window.addEventListener('popstate', render);
  render();
})();
