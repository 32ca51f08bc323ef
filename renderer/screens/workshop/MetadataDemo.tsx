import { useState } from 'react';
import type { ApiError, CommandOutput } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { ErrorText } from '../../components/ErrorText.js';

type Demo = CommandOutput<'workshop.metadataDemo'>;
type Fields = Demo['original'];

const ROWS: readonly { key: keyof Omit<Fields, 'exif'>; label: string }[] = [
  { key: 'gps', label: 'GPS position' },
  { key: 'camera', label: 'Camera' },
  { key: 'takenAt', label: 'Date taken' },
];

/** "What a contact receives": a photo with GPS in it, next to what the contact's phone decrypted. */
export function MetadataDemo() {
  const [busy, setBusy] = useState(false);
  const [demo, setDemo] = useState<Demo | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await getApi().workshop.metadataDemo();
      if (result.ok) setDemo(result.value);
      else setError(result.error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="stack" aria-labelledby="workshop-metadata">
      <h3 id="workshop-metadata">What a contact receives</h3>
      <p>
        Sends a sample photo with a GPS position in it to Echo, then shows what the photo carried and what
        Echo&apos;s phone received.
      </p>
      <p className="muted">
        Show the room: phones write where and with what a photo was taken; Carapace removes it before the
        photo leaves.
      </p>
      <ErrorText error={error} />
      <div className="row">
        <button type="button" disabled={busy} onClick={() => void send()}>
          Send a photo with GPS to Echo
        </button>
      </div>
      {demo ? (
        <table className="metadata-demo">
          <caption>Photo metadata: the original and what {demo.contact} received</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Original photo</th>
              <th scope="col">{demo.contact} received</th>
            </tr>
          </thead>
          <tbody>
            {ROWS.map((row) => (
              <tr key={row.key}>
                <th scope="row">{row.label}</th>
                <td data-side="original">{demo.original[row.key] ?? 'none'}</td>
                <td data-side="received">{demo.received[row.key] ?? 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
