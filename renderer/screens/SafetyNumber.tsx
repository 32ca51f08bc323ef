import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import type { ApiError, SafetyNumber } from '../../src/api/contract.js';
import { getApi, navigate, refreshConversations } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';
import { useStore } from '../store.js';

function base64ToBytes(value: string): Uint8Array {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function SafetyNumberScreen({ conversationId }: { conversationId: string }) {
  const title = useStore((s) => s.conversations[conversationId]?.title ?? 'this contact');
  const [safety, setSafety] = useState<SafetyNumber | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let live = true;
    void getApi()
      .safetyNumber.get({ conversationId })
      .then((result) => {
        if (!live) return;
        if (result.ok) setSafety(result.value);
        else setError(result.error);
      });
    return () => {
      live = false;
    };
  }, [conversationId]);

  useEffect(() => {
    if (!safety) return;
    let live = true;
    // A data: URL (allowed by img-src), so no object URL outlives the screen.
    void QRCode.toDataURL([{ data: base64ToBytes(safety.qrPayloadBase64), mode: 'byte' }], {
      errorCorrectionLevel: 'L',
      margin: 2,
      width: 220,
    }).then((url) => {
      if (live) setQr(url);
    });
    return () => {
      live = false;
    };
  }, [safety]);

  const setVerified = async (verified: boolean) => {
    setError(null);
    const result = await getApi().safetyNumber.setVerified({ conversationId, verified });
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setSafety(result.value);
    await refreshConversations();
  };

  return (
    <div className="panel" aria-labelledby="safety-title">
      <button type="button" className="back" onClick={() => navigate({ name: 'chats' })}>
        ← Back to chat
      </button>
      <h2 id="safety-title">Safety number with {title}</h2>
      <p className="muted">
        Compare these numbers with {title} in person or over a channel you trust, or scan their code. If they
        match, your messages are end-to-end encrypted with the right person.
      </p>
      <ErrorText error={error} />
      {safety ? (
        <>
          {safety.changed ? (
            <p className="warning" role="alert">
              This safety number changed recently. Verify it again.
            </p>
          ) : null}
          <div className="safety-grid" aria-label="Safety number digits">
            {safety.groups.map((group, index) => (
              <code key={index} className="safety-group">
                {group}
              </code>
            ))}
          </div>
          {qr ? (
            <img className="qr" src={qr} alt="QR code of the safety number" width={220} height={220} />
          ) : null}
          <p className="verified-state" aria-live="polite">
            Status:{' '}
            {safety.verified === 'verified'
              ? 'Verified'
              : safety.verified === 'unverified'
                ? 'Not verified (changed)'
                : 'Not verified'}
          </p>
          {safety.verified === 'verified' ? (
            <button type="button" onClick={() => void setVerified(false)}>
              Clear verification
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void setVerified(true)}>
              Mark as verified
            </button>
          )}
        </>
      ) : null}
    </div>
  );
}
