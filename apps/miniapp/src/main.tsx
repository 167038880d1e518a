import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, initialLanguage } from './app/App';
import { setLanguage } from './i18n';
import { initTelegram } from './init';
import './styles.css';

initTelegram();
setLanguage(initialLanguage());

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
