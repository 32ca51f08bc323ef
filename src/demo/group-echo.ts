/**
 * DEMO ONLY — what an Echo contact (DemoContactOptions.echo) does with a group message, so trainers can
 * show groups with no second person in the room:
 * - invited to the group (by the Carapace user creating it or inviting it): it accepts at once;
 * - a text from a member that is not another simulated contact of this network: it answers in the group
 *   "Echo: <text>" (sender key, as a phone does), and reacts 👍 as well when the text ends with "!";
 * - the text "/timer <n>s|m|h|d" or "/timer off": it sets the group's disappearing timer instead of
 *   answering (a change every member sees, as when a friend changes it on their phone).
 * Simulated contacts never answer each other, so two Echos in one group do not loop.
 */
import type { PrimaryDevice } from '@signalapp/mock-server';
import type { GroupPhone } from './group-phone.js';

type Received = Awaited<ReturnType<PrimaryDevice['waitForMessage']>>;

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400 };
/** Signal's longest disappearing timer is 4 weeks. */
const MAX_TIMER_SECONDS = 4 * 7 * 86_400;

/** The seconds a "/timer …" text asks for (null: off), or undefined when the text is no such command. */
export function timerCommand(text: string): number | null | undefined {
  const match = /^\/timer\s+(?:(off)|(\d{1,7})\s*([smhd]))$/i.exec(text.trim());
  if (!match) return undefined;
  if (match[1]) return null;
  const seconds = Number(match[2]) * (UNIT_SECONDS[(match[3] ?? '').toLowerCase()] ?? Number.NaN);
  return seconds > 0 && seconds <= MAX_TIMER_SECONDS ? seconds : undefined;
}

/**
 * Handles one received DataMessage with a group context. `isSimulated(aci)`: whether the sender is another
 * simulated contact of the network (never answered).
 */
export async function echoInGroup(
  phone: GroupPhone,
  entry: Pick<Received, 'source' | 'body' | 'dataMessage'>,
  isSimulated: (aci: string) => boolean,
): Promise<void> {
  const masterKey = entry.dataMessage.groupV2?.masterKey;
  if (!masterKey) return;
  let group = await phone.group(masterKey);
  if (!group) return;
  if (phone.membership(group) === 'invited') group = await phone.accept(group);
  if (phone.membership(group) !== 'member') return;
  const body = entry.body.trim();
  const sender = entry.source.aci;
  if (body.length === 0 || isSimulated(sender) || !phone.members(group).includes(sender)) return;
  const timer = timerCommand(body);
  if (timer !== undefined) {
    await phone.setTimer(group, timer);
    return;
  }
  await phone.send(group, {
    body: `Echo: ${body}`,
    expireTimer: entry.dataMessage.expireTimer ?? null,
  });
  if (body.endsWith('!')) {
    await phone.send(group, {
      reaction: {
        emoji: '👍',
        remove: false,
        targetAuthorAci: sender,
        targetAuthorAciBinary: null,
        targetSentTimestamp: entry.dataMessage.timestamp ?? null,
      },
    });
  }
}
