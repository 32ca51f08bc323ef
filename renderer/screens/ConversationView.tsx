import { useState } from 'react';
import { useStore } from '../store.js';
import { ConversationHeader } from '../components/conversation/ConversationHeader.js';
import { ConversationNotices } from '../components/conversation/ConversationNotices.js';
import { Timeline } from '../components/conversation/Timeline.js';
import { Composer } from './Composer.js';

/** The open chat: header, what needs a decision, the timeline, the composer (files may be dropped on it). */
export function ConversationView() {
  const openId = useStore((s) => s.openId);
  const conversation = useStore((s) => (s.openId ? s.conversations[s.openId] : undefined));
  const [files, setFiles] = useState<File[]>([]);
  const [filesFor, setFilesFor] = useState(openId);
  const [dragging, setDragging] = useState(false);
  // Files chosen for one conversation are dropped when another opens (adjusted while rendering).
  if (filesFor !== openId) {
    setFilesFor(openId);
    setFiles([]);
  }

  if (!openId || !conversation) {
    return (
      <div className="placeholder">
        <p className="muted">Choose a conversation, or start a new chat with a phone number.</p>
      </div>
    );
  }

  return (
    <div
      className={dragging ? 'conversation-view dragging' : 'conversation-view'}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const dropped = Array.from(e.dataTransfer.files);
        if (dropped.length > 0) setFiles((current) => [...current, ...dropped]);
      }}
    >
      <ConversationHeader conversation={conversation} />
      <ConversationNotices conversation={conversation} />
      <Timeline conversation={conversation} />
      <Composer conversationId={conversation.id} files={files} setFiles={setFiles} />
    </div>
  );
}
