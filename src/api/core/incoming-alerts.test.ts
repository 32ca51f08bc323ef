import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../contract.js';
import type { NotificationPrivacy } from '../../settings/schema.js';
import { IncomingAlerts, MAX_CONVERSATION_ALERTS } from './incoming-alerts.js';

const NAMES: Record<string, string> = { c1: 'Alice', c2: 'Bob', c3: 'Carol', c4: 'Dan', c5: 'Eve' };
const INTERVAL_MS = 60;
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Past the end of this turn (a first round is due at once). */
const turn = (): Promise<void> => wait(5);

function alertsWith(privacy: NotificationPrivacy = 'name-and-message') {
  const toasts: EventPayload<'toast'>[] = [];
  const asked: string[] = [];
  const alerts = new IncomingAlerts({
    privacy: () => privacy,
    conversationName: (id) => {
      asked.push(id);
      return NAMES[id] ?? '';
    },
    emit: (toast) => toasts.push(toast),
    intervalMs: INTERVAL_MS,
  });
  return { alerts, toasts, asked };
}

describe('IncomingAlerts', () => {
  it('alerts a single message with its sender and text, at the end of the turn', async () => {
    const { alerts, toasts } = alertsWith();
    alerts.add({ conversationId: 'c1', body: 'see you at 6' });
    expect(toasts).toEqual([]);
    await turn();
    expect(toasts).toEqual([{ kind: 'message', title: 'Alice', body: 'see you at 6', conversationId: 'c1' }]);
  });

  it('a backlog in one turn is one alert per conversation with a count, names read once each', async () => {
    const { alerts, toasts, asked } = alertsWith();
    for (let i = 0; i < 5000; i += 1) alerts.add({ conversationId: 'c1', body: `m${i}` });
    alerts.add({ conversationId: 'c2', body: 'only one' });
    alerts.add({ conversationId: 'c1', body: 'the last' });
    await turn();
    expect(toasts).toEqual([
      { kind: 'message', title: 'Bob', body: 'only one', conversationId: 'c2' },
      { kind: 'message', title: 'Alice', body: '5001 new messages', conversationId: 'c1' },
    ]);
    expect(asked.sort()).toEqual(['c1', 'c2']);
  });

  it(`above ${MAX_CONVERSATION_ALERTS} conversations in a turn: one alert with counts and no names`, async () => {
    const { alerts, toasts, asked } = alertsWith();
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5', 'c1']) alerts.add({ conversationId: id, body: 'hi' });
    await turn();
    expect(toasts).toEqual([{ kind: 'message', title: '6 new messages in 5 chats' }]);
    expect(asked).toEqual([]);
  });

  it('hides who wrote at the strictest setting: no name, no link into the conversation', async () => {
    const { alerts, toasts } = alertsWith('no-name-or-message');
    alerts.add({ conversationId: 'c1', body: 'secret plans' });
    alerts.add({ conversationId: 'c2', body: 'more' });
    alerts.add({ conversationId: 'c2', body: 'and more' });
    await turn();
    expect(toasts).toEqual([
      { kind: 'message', title: 'New message' },
      { kind: 'message', title: '2 new messages' },
    ]);
    expect(JSON.stringify(toasts)).not.toMatch(/Alice|Bob|secret|c1|c2/);
  });

  it('rounds are an interval apart: what arrives meanwhile (a backlog over many turns) is gathered', async () => {
    const { alerts, toasts } = alertsWith();
    alerts.add({ conversationId: 'c1', body: 'first' });
    await turn();
    expect(toasts.map((t) => t.body)).toEqual(['first']);
    for (let batch = 0; batch < 5; batch += 1) {
      alerts.add({ conversationId: 'c1', body: `batch ${batch}` });
      await turn();
    }
    expect(toasts).toHaveLength(1);
    await wait(INTERVAL_MS);
    expect(toasts.map((t) => t.body)).toEqual(['first', '5 new messages']);
  });

  it('dispose drops what is pending (a locked vault alerts nothing)', async () => {
    const { alerts, toasts } = alertsWith();
    alerts.add({ conversationId: 'c1', body: 'while locking' });
    alerts.dispose();
    await wait(INTERVAL_MS + 10);
    expect(toasts).toEqual([]);
  });
});
