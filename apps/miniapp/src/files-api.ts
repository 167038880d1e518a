import { API_BASE, ApiError, apiErrorOf, authHeaders, fetchAuthed } from './http';
import { t } from './i18n';
import { safeBlob } from './safe-blob';

/**
 * A message with files as multipart/form-data (the text fields first, then each file as `files`), through
 * XMLHttpRequest: fetch cannot report an upload's progress.
 */
export function upload<T>(
  path: string,
  fields: { body: string; internal?: boolean; clientMessageId: string },
  files: File[],
  onProgress: (fraction: number) => void,
): Promise<T> {
  const form = new FormData();
  form.append('body', fields.body);
  if (fields.internal) form.append('internal', 'true');
  form.append('clientMessageId', fields.clientMessageId);
  for (const file of files) form.append('files', file, file.name);
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API_BASE}${path}`);
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', t('error.network')));
    xhr.onload = () => {
      let json: unknown = null;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(json as T);
        return;
      }
      reject(apiErrorOf(xhr.status, xhr.statusText, json));
    };
    xhr.send(form);
  });
}

/**
 * Fetches a file the API serves behind auth (attachments) as a blob URL the page can show or save; only a raster
 * image keeps its type (safeBlob).
 */
export async function fetchBlobUrl(path: string, playAs?: string): Promise<string> {
  const response = await fetchAuthed(path);
  return URL.createObjectURL(safeBlob(await response.blob(), playAs));
}

/** The CSV exports of the stats screen. */
export type CsvExport = 'agents' | 'tickets';

/**
 * Downloads a CSV export of the range behind auth: fetched with the Authorization header (a URL alone would not
 * carry it, so Telegram's downloadFile cannot fetch it), then saved from a blob URL as `<kind>-<from>-<to>.csv`.
 */
export async function downloadCsv(kind: CsvExport, range: { from: string; to: string }): Promise<void> {
  const query = new URLSearchParams(range).toString();
  const response = await fetchAuthed(`/stats/${kind}.csv?${query}`);
  const blob = new Blob([await response.blob()], { type: 'text/csv' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${kind}-${range.from}-${range.to}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
