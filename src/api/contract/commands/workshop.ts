/**
 * The trainer's workshop (demo network only; NOT_AVAILABLE elsewhere): switch the profile to the settings a
 * typical messenger ships with, show the hardening report before/after to a room, and switch back.
 */
import { z } from 'zod';
import { Empty } from '../models.js';
import { SettingChangeSchema } from '../models/audit-extras.js';
import { command } from './command.js';

const WorkshopStateSchema = z.object({
  /** True while the "typical defaults" preset is on (the settings from before are kept to restore). */
  typicalDefaults: z.boolean(),
  /** What the last switch changed, setting by setting. */
  changes: z.array(SettingChangeSchema),
});

/** What the demo network's simulated contacts can do to this profile, for a room to watch. */
const WorkshopScenarioSchema = z.enum([
  'message-request',
  'safety-number-change',
  'view-once-photo',
  'disappearing-chat',
  'group-invitation',
]);

/** The fields a phone writes into a photo, as read from its EXIF block (null: not there). */
const PhotoMetadataSchema = z.object({
  gps: z.string().nullable(),
  camera: z.string().nullable(),
  takenAt: z.string().nullable(),
  exif: z.boolean(),
});

export const WORKSHOP_COMMANDS = {
  'workshop.status': command(Empty, WorkshopStateSchema),
  /** Keeps the current settings and applies the preset; PRECONDITION when it is on already. */
  'workshop.typicalDefaults': command(Empty, WorkshopStateSchema),
  /** Puts back the settings kept by `workshop.typicalDefaults`; PRECONDITION when there are none. */
  'workshop.restore': command(Empty, WorkshopStateSchema),
  /**
   * A simulated contact acts on this profile: a new stranger writes (a message request, or nothing when
   * unknown senders are blocked), a contact reinstalls with a new identity key (safety number
   * changed) and writes, a contact sends a view-once photo, or sets a disappearing timer and
   * writes, or two new contacts (Alice, Bob) invite this profile to their group — once it is accepted they
   * write there and react. Answers once the contact has sent; the messages arrive as usual. Needs a
   * registered profile.
   */
  'workshop.trigger': command(
    z.strictObject({ scenario: WorkshopScenarioSchema }),
    z.object({ contact: z.string() }),
  ),
  /**
   * Sends a sample photo with GPS, camera and date in its EXIF to the demo network's known contact (Echo)
   * through the ordinary attachments path, and answers the original's metadata next to what the contact
   * decrypted. Needs a registered profile.
   */
  'workshop.metadataDemo': command(
    Empty,
    z.object({ contact: z.string(), original: PhotoMetadataSchema, received: PhotoMetadataSchema }),
  ),
} as const;
