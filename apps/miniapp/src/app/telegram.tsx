import { useEffect, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import {
  confirmDialog,
  inTelegram,
  type MainButtonState,
  setClosingConfirmation,
  setTelegramMainButton,
} from '../init';
import { useIsActive } from './router';

let current: MainButtonState | null = null;
const listeners = new Set<() => void>();

function publish(state: MainButtonState | null): void {
  current = state;
  setTelegramMainButton(state);
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The screen's primary action on Telegram's MainButton (and, outside Telegram, on a button of ours in the
 * same place). Only the visible screen drives it; `null` hides it.
 */
export function useMainButton(state: MainButtonState | null): void {
  const active = useIsActive();
  const click = useRef<() => void>(() => {});
  click.current = state?.onClick ?? (() => {});
  const text = state?.text;
  const disabled = state?.disabled ?? false;
  const progress = state?.progress ?? false;
  useEffect(() => {
    if (!active) return;
    const mine: MainButtonState | null =
      text === undefined ? null : { text, disabled, progress, onClick: () => click.current() };
    publish(mine);
    return () => {
      if (current === mine) publish(null);
    };
  }, [active, text, disabled, progress]);
}

/** Our stand-in for Telegram's MainButton in a plain browser (dev sign-in, browser tests). */
export function MainButtonFallback() {
  const state = useSyncExternalStore(subscribe, () => current);
  if (!state || inTelegram()) return null;
  return (
    <div className="main-button-bar">
      <button
        type="button"
        className="main-button"
        data-testid="main-button"
        disabled={state.disabled || state.progress}
        aria-busy={state.progress || undefined}
        onClick={() => state.onClick()}
      >
        {state.text}
      </button>
    </div>
  );
}

export function useMainButtonVisible(): boolean {
  return useSyncExternalStore(subscribe, () => current !== null);
}

let drafts = 0;

/** Asks Telegram to confirm closing while `hasDraft` is true on any screen. */
function useClosingConfirmation(hasDraft: boolean): void {
  useEffect(() => {
    if (!hasDraft) return;
    drafts++;
    setClosingConfirmation(true);
    return () => {
      drafts--;
      if (drafts === 0) setClosingConfirmation(false);
    };
  }, [hasDraft]);
}

/** What BackButton must ask before it leaves the visible screen (that screen's draft would be lost). */
let leaveQuestion: { text: string } | null = null;
let asking = false;

/**
 * A screen's unsaved draft: while `question` is not null, neither closing the Mini App (Telegram's closing
 * confirmation) nor BackButton on this screen (when it is the visible one) throws it away without asking —
 * BackButton asks `question` first, in Telegram's confirm popup.
 */
export function useUnsavedDraft(question: string | null): void {
  useClosingConfirmation(question !== null);
  const active = useIsActive();
  // A layout effect, not a plain one: Preact runs plain effects only after the next paint, and a BackButton
  // press that lands in between (typing, then Back at once) would leave without asking.
  useLayoutEffect(() => {
    if (!active || question === null) return;
    const mine = { text: question };
    leaveQuestion = mine;
    return () => {
      if (leaveQuestion === mine) leaveQuestion = null;
    };
  }, [active, question]);
}

/** An overlay over the visible screen (the full-screen photo): Back closes it instead of leaving. */
let overlayClose: (() => void) | null = null;

/** While mounted, BackButton (and the in-browser back link) closes this overlay first. */
export function useBackClosesOverlay(close: () => void): void {
  useLayoutEffect(() => {
    overlayClose = close;
    return () => {
      if (overlayClose === close) overlayClose = null;
    };
  }, [close]);
}

/** Runs `leave` (BackButton's pop) at once, or once the person agrees to lose the visible screen's draft. */
export async function confirmLeave(leave: () => void): Promise<void> {
  if (overlayClose) {
    overlayClose();
    return;
  }
  if (!leaveQuestion) {
    leave();
    return;
  }
  // A second press while the popup is up would open another one (which Telegram refuses).
  if (asking) return;
  asking = true;
  try {
    if (await confirmDialog(leaveQuestion.text)) leave();
  } finally {
    asking = false;
  }
}
