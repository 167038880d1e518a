import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { ApiError, api, errorText, newClientMessageId } from '../../api';
import { useIsActive, useRouter } from '../../app/router';
import { useSession } from '../../app/session';
import { useMainButton, useUnsavedDraft } from '../../app/telegram';
import { audienceOf, t } from '../../i18n';
import { haptic, requestContact } from '../../init';
import { markSeen } from '../../seen';
import { isStaffRole } from '../../types';
import { ErrorState, Spinner, StatusBadge, Toast } from '../../ui/common';
import { addFiles, ComposerFiles, type PickedFile, releaseFiles } from './ComposerFiles';
import { CustomerActions } from './CustomerActions';
import { MessageBubble } from './MessageBubble';
import { RatingBlock } from './RatingBlock';
import type { ViewMessage } from './ticket-state';
import { useConversation } from './use-conversation';
import { useSender } from './use-sender';

const AgentTools = lazy(() => import('../agent/AgentTools').then((m) => ({ default: m.AgentTools })));
const CannedPicker = lazy(() => import('../agent/CannedPicker').then((m) => ({ default: m.CannedPicker })));
// The microphone comes after the first paint: most messages are typed.
const VoiceRecorder = lazy(() => import('./VoiceRecorder').then((m) => ({ default: m.VoiceRecorder })));

type Mode = 'reply' | 'note';

/** The conversation, live, for both roles; agents get the customer card, controls, notes and templates. */
export function TicketPage({ id }: { id: number }) {
  const { me, rt } = useSession();
  const staff = isStaffRole(me.role);
  const active = useIsActive();
  const { replace } = useRouter();
  const { ticket, setTicket, messages, setMessages, error, viewers, typing, arrived, load } =
    useConversation(id);
  const { send, resend, progress } = useSender(id, setMessages, (text) => setToast({ text, kind: 'error' }));
  const [toast, setToast] = useState<{ text: string; kind: 'info' | 'error' } | null>(null);
  const [draft, setDraft] = useState('');
  const [mode, setMode] = useState<Mode>('reply');
  // The text at which Escape closed the «/» list: it stays closed until the text changes.
  const [pickerClosedAt, setPickerClosedAt] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Files waiting in the composer.
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const fileInput = useRef<HTMLInputElement | null>(null);
  const listEnd = useRef<HTMLDivElement | null>(null);
  const composer = useRef<HTMLTextAreaElement | null>(null);

  const loaded = ticket !== null;
  // Seen: everything up to the ticket's last seq while the conversation is on screen — on this device at
  // once, and on the server (the unread count every device's list shows).
  const lastSeq = ticket?.lastSeq ?? 0;
  useEffect(() => {
    if (!active || !loaded) return;
    markSeen(id, lastSeq);
    api.markRead(id, lastSeq).catch(() => undefined);
  }, [active, loaded, id, lastSeq]);

  // Follow the conversation to its end as messages arrive.
  const count = messages.length;
  useEffect(() => {
    if (active && count > 0) listEnd.current?.scrollIntoView?.({ block: 'end' });
  }, [active, count]);

  const pick = (incoming: File[]) => {
    if (incoming.length === 0) return;
    setPicked((prev) => {
      const { files, refused } = addFiles(prev, incoming);
      if (refused) setToast({ text: refused, kind: 'error' });
      return files;
    });
  };
  const unpick = (key: string) =>
    setPicked((prev) => {
      releaseFiles(prev.filter((f) => f.key === key));
      return prev.filter((f) => f.key !== key);
    });

  const submit = () => {
    const body = draft.trim();
    if ((!body && picked.length === 0) || busy || progress !== null) return;
    haptic.impact('light');
    setDraft('');
    const files = picked.map((f) => f.file);
    releaseFiles(picked);
    setPicked([]);
    send(body, staff && mode === 'note', newClientMessageId(), files);
  };

  const changeStatus = async (status: 'open' | 'closed') => {
    if (!ticket) return;
    setBusy(true);
    try {
      const updated = await api.patchTicket(id, { status, version: ticket.version });
      setTicket((prev) => (prev ? { ...prev, ...updated } : prev));
      haptic.notify('success');
    } catch (e) {
      haptic.notify('error');
      if (e instanceof ApiError && e.isConflict) {
        await load();
        setToast({ text: t('ticket.conflict', undefined, audienceOf(me.role)), kind: 'error' });
      } else setToast({ text: errorText(e), kind: 'error' });
    } finally {
      setBusy(false);
    }
  };

  const sharePhone = async () => {
    if (await requestContact()) setToast({ text: t('contact.shared'), kind: 'info' });
  };

  const canWrite = !!ticket && (staff || ticket.status !== 'closed');
  // A half-written reply or note is not thrown away without asking: neither by closing nor by BackButton.
  const hasDraft = draft.trim() !== '' || picked.length > 0;
  useUnsavedDraft(hasDraft ? t(staff && mode === 'note' ? 'ticket.leaveNote' : 'ticket.leaveReply') : null);
  useMainButton(
    canWrite
      ? {
          text: staff && mode === 'note' ? t('ticket.sendNote') : t('ticket.send'),
          onClick: submit,
          disabled: !hasDraft,
        }
      : null,
  );

  if (error && !ticket) return <ErrorState error={error} onRetry={load} />;
  if (!ticket) return <Spinner />;

  const authorLabel = (m: ViewMessage) => {
    if (m.author?.name) return m.author.name;
    return m.kind === 'customer' ? t('card.title') : t('ticket.support');
  };
  const slash = staff && mode === 'reply' && /^\/[a-z0-9_-]*$/i.test(draft) && draft !== pickerClosedAt;

  return (
    <main
      className="page page--chat"
      data-testid="ticket-page"
      data-ticket-id={ticket.id}
      data-status={ticket.status}
    >
      <header className="chat-head">
        <h1 className="chat-head__title">
          <span className="cell__number">#{ticket.id}</span> {ticket.subject}
        </h1>
        <StatusBadge status={ticket.status} />
      </header>
      {/* The collision warning first, under the title: the card and the open controls sheet never push it down. */}
      {staff && viewers.length > 0 ? (
        <div className="banner banner--warn" role="status" data-testid="presence-banner">
          {t('ticket.presence', { name: viewers.map((v) => v.name).join(', ') })}
        </div>
      ) : null}
      {toast ? <Toast text={toast.text} kind={toast.kind} onDone={() => setToast(null)} /> : null}
      {ticket.mergedIntoId ? (
        <div className="banner" role="status" data-testid="merged-banner">
          {t('ticket.mergedInto', { id: ticket.mergedIntoId }, audienceOf(me.role))}{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => ticket.mergedIntoId && replace({ name: 'ticket', id: ticket.mergedIntoId })}
          >
            {t('ticket.openMerged', { id: ticket.mergedIntoId })}
          </button>
        </div>
      ) : null}
      {staff ? (
        <Suspense fallback={null}>
          <AgentTools
            ticket={ticket}
            onTicket={(next) => setTicket((prev) => (prev ? { ...prev, ...next } : prev))}
            onReload={load}
            onMessage={(text, kind) => setToast({ text, kind })}
          />
        </Suspense>
      ) : null}
      {!staff ? (
        <CustomerActions
          status={ticket.status}
          busy={busy}
          onStatus={changeStatus}
          onSharePhone={sharePhone}
        />
      ) : null}
      <ol className="messages" data-testid="messages">
        {messages.length === 0 ? <li className="message message--system">{t('ticket.noMessages')}</li> : null}
        {messages.map((m) => (
          <MessageBubble
            key={m.clientMessageId ?? m.id}
            message={m}
            own={m.authorId === me.id}
            authorLabel={authorLabel(m)}
            onResend={() => resend(m)}
          />
        ))}
      </ol>
      <div ref={listEnd} />
      <div className="visually-hidden" aria-live="polite" data-testid="message-announcer">
        {arrived
          ? t('ticket.arrived', { name: authorLabel(arrived), text: arrived.body || t('ticket.attachments') })
          : ''}
      </div>
      {typing ? (
        // Not a live region: «печатает…» comes and goes every few seconds; only new messages are announced.
        <div className="typing" data-testid="typing-indicator">
          {t(typing.internal ? 'ticket.typingNote' : 'ticket.typing', { name: typing.user.name })}
        </div>
      ) : null}
      {!staff && (ticket.status === 'resolved' || ticket.status === 'closed') ? (
        <RatingBlock
          ticket={ticket}
          onRated={(score) => setTicket((prev) => (prev ? { ...prev, rating: score } : prev))}
        />
      ) : null}
      {!canWrite ? <p className="hint center">{t('ticket.closedHint')}</p> : null}
      {canWrite ? (
        <div className={mode === 'note' && staff ? 'composer composer--note' : 'composer'}>
          {staff ? (
            <div className="segmented" role="tablist" aria-label={t('ticket.composer')}>
              {(['reply', 'note'] as const).map((m) => (
                <button
                  key={m}
                  type="button"
                  role="tab"
                  aria-selected={mode === m}
                  data-testid={`mode-${m}`}
                  className={mode === m ? 'segmented__item is-on' : 'segmented__item'}
                  onClick={() => {
                    haptic.selection();
                    setMode(m);
                  }}
                >
                  {m === 'reply' ? t('ticket.reply') : t('ticket.note')}
                </button>
              ))}
            </div>
          ) : null}
          {slash ? (
            <Suspense fallback={null}>
              <CannedPicker
                query={draft.slice(1)}
                input={composer}
                onClose={() => setPickerClosedAt(draft)}
                onPick={(body) => {
                  setDraft(body);
                  // The picker goes away with the pick: the keyboard stays on the text to go on writing.
                  composer.current?.focus();
                }}
              />
            </Suspense>
          ) : null}
          <ComposerFiles files={picked} onRemove={unpick} />
          {progress !== null ? (
            <progress
              className="composer__progress"
              data-testid="upload-progress"
              max={1}
              value={progress}
              aria-label={t('ticket.uploading', { percent: Math.round(progress * 100) })}
            />
          ) : null}
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            data-testid="file-input"
            onChange={(e) => {
              pick(Array.from(e.target.files ?? []));
              e.target.value = '';
            }}
          />
          <div className="composer__tools">
            <button
              type="button"
              className="composer__attach"
              data-testid="attach"
              aria-label={t('ticket.attach')}
              onClick={() => fileInput.current?.click()}
            >
              📎
            </button>
            <Suspense fallback={null}>
              <VoiceRecorder
                onRecorded={(file) => pick([file])}
                onError={(text) => setToast({ text, kind: 'error' })}
              />
            </Suspense>
          </div>
          <textarea
            ref={composer}
            className="composer__input"
            data-testid="composer"
            aria-label={t('ticket.composer')}
            placeholder={
              staff
                ? mode === 'note'
                  ? t('ticket.notePlaceholder')
                  : t('ticket.composerAgentPlaceholder')
                : t('ticket.composerPlaceholder')
            }
            rows={2}
            maxLength={4000}
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              // A note's typing goes to staff only: the customer must not see «печатает…» for it.
              if (e.target.value) rt.typing(id, staff && mode === 'note');
            }}
            onPaste={(e) => {
              // A pasted screenshot (or files copied in a file manager) joins the message's files.
              const files = Array.from(e.clipboardData?.files ?? []);
              if (files.length === 0) return;
              e.preventDefault();
              pick(files);
            }}
            onKeyDown={(e) => {
              // A key the «/» list took (Enter picking a template) is not a send: by now the pick may have
              // re-rendered this handler with the template's text and no list.
              if (e.nativeEvent.defaultPrevented) return;
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing && !slash) {
                e.preventDefault();
                submit();
              }
            }}
          />
        </div>
      ) : null}
    </main>
  );
}
