// Compiled by `tsc --noEmit` in the tests: the public API as an app uses it
// through the npm package, and mistakes the types must reject.
import { Beckon } from '../../js/npm/index.js';

async function main(): Promise<void> {
  const result = await Beckon('boot', {
    app_id: 'demo',
    user_id: 'u1',
    attributes: { plan: 'pro', company: { size: 40 } },
    theme: { accent: '#3b5bdb' },
    alignment: 'left',
    z_index: 1000,
  });
  if (!result.ok) console.log(result.error);
  Beckon('track', 'report.exported', { format: 'csv' });
  Beckon('update', { plan: 'team' });
  Beckon('page');
  Beckon('startTour', 'onboarding-tour');
  Beckon('showNewMessage', 'Hello');
  const off: () => void = Beckon('on', 'message:shown', (e) => console.log(e.message_id));
  off();
  Beckon('on', 'unread_count', (n) => console.log(n + 1));
  Beckon('debug', true);
  window.Beckon('shutdown');

  // @ts-expect-error: unknown command
  Beckon('fly');
  // @ts-expect-error: userId is not an option (user_id is)
  await Beckon('boot', { userId: 'u1' });
  // @ts-expect-error: the event name must be a string
  Beckon('track', 42);
  // @ts-expect-error: unknown event
  Beckon('on', 'message:exploded', () => {});
}

void main;
