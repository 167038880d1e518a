import { useState } from 'react';
import { errorText } from '../api';
import { getLanguage, type Language, setLanguage, t } from '../i18n';
import type { Role } from '../types';

/** Development sign-in (only when the API says DEV_LOGIN is on): pick who to be. */
export function SignInPage({ onSignIn }: { onSignIn: (as: Role, language: Language) => Promise<void> }) {
  const [language, setLang] = useState<Language>(getLanguage());
  const [busy, setBusy] = useState<Role | null>(null);
  const [error, setError] = useState<unknown>(null);

  const choose = async (as: Role) => {
    setBusy(as);
    setError(null);
    try {
      await onSignIn(as, language);
    } catch (e) {
      setError(e);
      setBusy(null);
    }
  };

  const switchLanguage = (next: Language) => {
    setLanguage(next);
    setLang(next);
  };

  return (
    <main className="page signin" data-testid="signin">
      <h1 className="page__title">{t('signin.title')}</h1>
      <p className="hint">{t('signin.hint')}</p>
      <div className="signin__buttons">
        {(['customer', 'agent', 'admin'] as const).map((role) => (
          <button
            key={role}
            type="button"
            className="button"
            disabled={busy !== null}
            aria-busy={busy === role || undefined}
            onClick={() => choose(role)}
          >
            {t(`signin.${role}`)}
          </button>
        ))}
      </div>
      <fieldset className="segmented" aria-label={t('signin.language')}>
        {(['ru', 'en'] as const).map((lang) => (
          <button
            key={lang}
            type="button"
            aria-pressed={language === lang}
            className={language === lang ? 'segmented__item is-on' : 'segmented__item'}
            onClick={() => switchLanguage(lang)}
          >
            {lang === 'ru' ? 'Русский' : 'English'}
          </button>
        ))}
      </fieldset>
      {error ? (
        <p className="error-text" role="alert">
          {errorText(error)}
        </p>
      ) : null}
    </main>
  );
}
