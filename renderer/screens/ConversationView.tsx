import { useEffect, useState } from 'react';
import { useStore } from '../store.js';
import { setVisibleConversation } from '../components/conversation/actions.js';
import type { ComposerMode } from '../components/conversation/ComposerMode.js';
import { ConversationHeader } from '../components/conversation/ConversationHeader.js';
import { ConversationNotices } from '../components/conversation/ConversationNotices.js';
import { Timeline } from '../components/conversation/Timeline.js';
import { groupOf } from '../components/group/group-api.js';
import { GroupEnded } from '../components/group/GroupEnded.js';
import { GroupInvitation } from '../components/group/GroupInvitation.js';
import { Composer } from './Composer.js';
import { GroupSettings } from './group/GroupSettings.js';

/**
 * Reading state: the core is told which chat is open AND visible (the window shown and focused), so what
 * arrives there is read at once; none while hidden, blurred, or when the chat closes.
 */
function useVisibleConversation(openId: string | null): void {
  useEffect(() => {
    if (!openId) return;
    const update = () => {
      const visible = document.visibilityState === 'visible' && document.hasFocus();
      void setVisibleConversation(visible ? openId : null);
    };
    update();
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    document.addEventListener('visibilitychange', update);
    return () => {
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
      document.removeEventListener('visibilitychange', update);
      void setVisibleConversation(null);
    };
  }, [openId]);
}

/** The open chat: header, what needs a decision, the timeline, the composer (files may be dropped on it). */
export function ConversationView() {
  const openId = useStore((s) => s.openId);
  const conversation = useStore((s) => (s.openId ? s.conversations[s.openId] : undefined));
  const [files, setFiles] = useState<File[]>([]);
  const [filesFor, setFilesFor] = useState(openId);
  const [dragging, setDragging] = useState(false);
  const [mode, setMode] = useState<ComposerMode | null>(null);
  const [groupSettings, setGroupSettings] = useState(false);
  // Files, a reply/edit in progress and an open group panel belong to one conversation: dropped when
  // another opens (adjusted while rendering).
  if (filesFor !== openId) {
    setFilesFor(openId);
    setFiles([]);
    setMode(null);
    setGroupSettings(false);
  }
  useVisibleConversation(openId);
  const group = conversation ? groupOf(conversation) : null;

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
      <ConversationHeader conversation={conversation} onGroupSettings={() => setGroupSettings(true)} />
      {groupSettings ? (
        <GroupSettings conversation={conversation} onClose={() => setGroupSettings(false)} />
      ) : group?.membership === 'invited' ? (
        // Nothing of an invited group shows before accepting.
        <GroupInvitation conversation={conversation} />
      ) : (
        <>
          {group ? null : <ConversationNotices conversation={conversation} />}
          <Timeline conversation={conversation} onCompose={setMode} />
          {group && group.membership !== 'member' ? (
            <GroupEnded />
          ) : (
            <Composer
              conversationId={conversation.id}
              contactName={conversation.title}
              files={files}
              setFiles={setFiles}
              mode={mode}
              onModeDone={() => setMode(null)}
            />
          )}
        </>
      )}
    </div>
  );
}
