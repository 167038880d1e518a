import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api';
import { useIsActive, useRouter } from '../../app/router';
import { useSession } from '../../app/session';
import { ticketTopic } from '../../realtime';
import type { Message, TicketDetail } from '../../types';
import { interpretFrame, type Person, upsertMessage, type ViewMessage } from './ticket-state';

/**
 * A ticket's conversation, live: the ticket and its messages read over REST, then followed on the socket from
 * the last seq (re-read after a resume), with who else has it open, who is typing, and the other side's
 * newest message (for the screen-reader announcement). A merge into another ticket while it is on screen
 * moves there.
 */
export function useConversation(id: number) {
  const { me, rt } = useSession();
  const active = useIsActive();
  const { replace } = useRouter();
  const activeRef = useRef(active);
  activeRef.current = active;
  const [ticket, setTicket] = useState<TicketDetail | null>(null);
  const [messages, setMessages] = useState<ViewMessage[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [viewers, setViewers] = useState<Person[]>([]);
  const [typing, setTyping] = useState<{ user: Person; internal: boolean } | null>(null);
  // The other side's newest message, for screen readers (the polite live region below).
  const [arrived, setArrived] = useState<ViewMessage | null>(null);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const ticketRef = useRef<TicketDetail | null>(null);
  ticketRef.current = ticket;

  const load = useCallback(async () => {
    try {
      const detail = await api.getTicket(id);
      let all: Message[] = [];
      let after = 0;
      for (let page = 0; page < 50; page++) {
        const batch = await api.listMessages(id, after, 200);
        all = all.concat(batch);
        if (batch.length < 200) break;
        after = batch[batch.length - 1]?.seq ?? after;
      }
      rt.setCursor(id, detail.lastSeq);
      setTicket(detail);
      setMessages((prev) => {
        let next: ViewMessage[] = prev.filter((m) => m.local);
        for (const m of all) next = upsertMessage(next, m);
        return next;
      });
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [id, rt]);

  useEffect(() => {
    load();
  }, [load]);

  const loaded = ticket !== null;
  useEffect(() => {
    if (!loaded) return;
    return rt.subscribe(
      ticketTopic(id),
      {
        onFrame(frame) {
          const change = interpretFrame(frame);
          switch (change.kind) {
            case 'message':
              setMessages((prev) => upsertMessage(prev, change.message));
              if (change.message.authorId !== me.id) {
                setTyping(null);
                setArrived(change.message);
              }
              return;
            case 'ticket': {
              const before = ticketRef.current;
              setTicket((prev) => (prev ? { ...prev, ...change.ticket } : prev));
              if (before && before.assigneeId !== change.ticket.assigneeId) load();
              // Merged into another while open here: the conversation goes on there, so go there.
              const into = change.ticket.mergedIntoId;
              if (into && !before?.mergedIntoId && activeRef.current) replace({ name: 'ticket', id: into });
              return;
            }
            case 'presence':
              // The collision warning is about other staff; the customer having it open is no collision.
              setViewers(change.viewers.filter((v) => v.id !== me.id && v.role !== 'customer'));
              return;
            case 'typing':
              if (change.user.id === me.id) return;
              setTyping({ user: change.user, internal: change.internal });
              if (typingTimer.current) clearTimeout(typingTimer.current);
              typingTimer.current = setTimeout(() => setTyping(null), 5000);
              return;
            default:
              return;
          }
        },
        onResume: () => {
          load();
        },
      },
      { after: ticketRef.current?.lastSeq ?? 0 },
    );
  }, [id, loaded, rt, me.id, load, replace]);

  useEffect(
    () => () => {
      if (typingTimer.current) clearTimeout(typingTimer.current);
    },
    [],
  );

  return { ticket, setTicket, messages, setMessages, error, viewers, typing, arrived, load };
}
