import { type Dispatch, type SetStateAction, useRef, useState } from 'react';
import { api, errorText } from '../../api';
import { useSession } from '../../app/session';
import { haptic } from '../../init';
import { isStaffRole, type Message } from '../../types';
import { upsertMessage, type ViewMessage } from './ticket-state';

/**
 * Sending in a conversation: the message shows at once as `sending`, then as stored (or `failed`, with the
 * error told through `onError`); files go as one multipart upload whose progress (0..1) is `progress`. A failed
 * message is sent again as it was, files included, under its clientMessageId (the API answers a retry with the
 * first message, never a second one).
 */
export function useSender(
  id: number,
  setMessages: Dispatch<SetStateAction<ViewMessage[]>>,
  onError: (text: string) => void,
) {
  const { me } = useSession();
  const staff = isStaffRole(me.role);
  const [progress, setProgress] = useState<number | null>(null);
  // The files of each message sent with some, so a failed one can be sent again as it was.
  const sentFiles = useRef(new Map<string, File[]>());

  const send = async (body: string, internal: boolean, clientMessageId: string, files: File[] = []) => {
    const optimistic: ViewMessage = {
      id: -Date.now(),
      ticketId: id,
      seq: Number.MAX_SAFE_INTEGER,
      kind: internal ? 'note' : staff ? 'agent' : 'customer',
      internal,
      authorId: me.id,
      author: { id: me.id, name: me.firstName, role: me.role },
      body,
      originalBody: null,
      clientMessageId,
      via: 'miniapp',
      delivery: 'none',
      createdAt: new Date().toISOString(),
      editedAt: null,
      attachments: [],
      local: 'sending',
    };
    setMessages((prev) => upsertMessage(prev, optimistic));
    try {
      const input = { body, clientMessageId, ...(internal ? { internal: true } : {}) };
      let stored: Message;
      if (files.length > 0) {
        sentFiles.current.set(clientMessageId, files);
        setProgress(0);
        stored = await api
          .postMessageWithFiles(id, input, files, setProgress)
          .finally(() => setProgress(null));
        sentFiles.current.delete(clientMessageId);
      } else stored = await api.postMessage(id, input);
      setMessages((prev) => upsertMessage(prev, { ...stored, local: undefined }));
    } catch (e) {
      haptic.notify('error');
      setMessages((prev) =>
        prev.map((m) => (m.clientMessageId === clientMessageId ? { ...m, local: 'failed' } : m)),
      );
      onError(errorText(e));
    }
  };

  const resend = (m: ViewMessage) => {
    if (m.clientMessageId)
      send(m.body, m.internal, m.clientMessageId, sentFiles.current.get(m.clientMessageId));
  };

  return { send, resend, progress };
}
