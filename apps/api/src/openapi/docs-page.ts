import { accessText, type JsonSchema, type OpenApiDocument, type Operation } from './document';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** `code` spans for backticks in the document's prose. */
function prose(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** A schema in one line: its type and constraints, without the noise of a full dump. */
function schemaText(schema: JsonSchema): string {
  const {
    type,
    anyOf,
    items,
    properties,
    required: _required,
    additionalProperties: _closed,
    ...rest
  } = schema;
  if (Array.isArray(anyOf)) return (anyOf as JsonSchema[]).map(schemaText).join(' | ');
  if (type === 'array') return `array of ${schemaText((items ?? {}) as JsonSchema)}`;
  if (properties) return `object {${Object.keys(properties as object).join(', ')}}`;
  const constraints = Object.entries(rest).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return [Array.isArray(type) ? type.join(' | ') : String(type ?? 'any'), ...constraints].join(', ');
}

function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '';
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
}

function bodyRows(schema: JsonSchema): string[][] {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(properties).map(([name, s]) => [
    `<code>${escapeHtml(name)}</code>`,
    required.has(name) ? 'yes' : '',
    `<code>${escapeHtml(schemaText(s))}</code>`,
  ]);
}

function bodyHtml(operation: Operation): string {
  const body = operation.requestBody;
  const schema = body?.content['application/json']?.schema;
  if (!body || !schema) return '';
  const variants = Array.isArray(schema.anyOf) ? (schema.anyOf as JsonSchema[]) : [schema];
  const parts = variants.map((v) => {
    const title = typeof v.title === 'string' ? ` (${escapeHtml(v.title)})` : '';
    const closed = v.additionalProperties === false ? '; no other field' : '';
    return `<h4>JSON body${title}${body.required ? '' : ', optional'}${closed}</h4>${table(['field', 'required', 'schema'], bodyRows(v))}`;
  });
  return parts.join('');
}

/** The success answer's fields: of each item for a list, or of each of `items` for a page. */
function responseHtml(operation: Operation): string {
  for (const [status, r] of Object.entries(operation.responses)) {
    const schema = (r as { content?: Record<string, { schema: JsonSchema }> }).content?.['application/json']
      ?.schema;
    if (!schema || status >= '400') continue;
    const own = bodyRows(schema);
    const page = (schema.properties as Record<string, JsonSchema> | undefined)?.items;
    const list = schema.type === 'array' ? schema : page?.type === 'array' ? page : undefined;
    const item = bodyRows((list?.items ?? {}) as JsonSchema);
    const head = ['field', 'always', 'schema'];
    return [
      own.length > 0 ? `<h4>Answer ${status}</h4>${table(head, own)}` : '',
      item.length > 0
        ? `<h4>${list === schema ? `Answer ${status}: a list of` : 'Each of <code>items</code>'}</h4>${table(head, item)}`
        : '',
    ].join('');
  }
  return '';
}

function operationHtml(path: string, method: string, operation: Operation): string {
  const params = (operation.parameters ?? []).map((p) => [
    `<code>${escapeHtml(p.name)}</code>`,
    p.in,
    p.required ? 'yes' : '',
    `<code>${escapeHtml(schemaText(p.schema))}</code>`,
  ]);
  const responses = Object.entries(operation.responses).map(([status, r]) => {
    const ref = (r as { $ref?: string }).$ref;
    return [status, ref ? `error: see below` : 'success'];
  });
  const id = escapeHtml(operation.operationId);
  return `<section id="${id}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${prose(operation.summary)}</p>
${operation.description ? `<p>${prose(operation.description)}</p>` : ''}
<p class="who">Who: ${escapeHtml(accessText(operation['x-access']))}${operation.security.length > 0 ? ' · <code>Authorization: tma &lt;initData&gt;</code>' : ''}</p>
${table(['parameter', 'in', 'required', 'schema'], params)}
${bodyHtml(operation)}
${responseHtml(operation)}
<p class="st">Answers: ${responses.map(([s]) => `<b>${s}</b>`).join(' ')}</p>
</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
code{font:13px ui-monospace,monospace;background:#f3f3f3;padding:0 .2em}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}section{border-top:1px solid #ddd;padding:.5rem 0}
.m{font:bold 13px ui-monospace,monospace;padding:.1em .4em;border-radius:3px;color:#fff;background:#555}
.get{background:#2a6f3c}.post{background:#1f5aa6}.patch{background:#8a5a00}.put{background:#6a3d9a}.delete{background:#a12a2a}
.who,.st{color:#555;margin:.2rem 0}nav a{margin-right:.8rem}`;

/** The reference page: the document as plain HTML, no script (it must render under a strict CSP and offline). */
export function renderDocsPage(doc: OpenApiDocument): string {
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const tag = operation.tags[0] ?? 'api';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(path, method, operation)]);
    }
  }
  const responses = doc.components.responses as Record<string, { description: string }>;
  const errors = Object.entries(responses).map(([k, r]) => [k.slice(1), prose(r.description)]);
  const sections = [...byTag].map(
    ([tag, ops]) => `<h2 id="tag-${escapeHtml(tag)}">${escapeHtml(tag)}</h2>${ops.join('\n')}`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(doc.info.title)} reference</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(doc.info.title)}</h1>
<p>${prose(doc.info.description)}</p>
<p>Base path <code>${escapeHtml(doc.servers[0]?.url ?? '')}</code>. The machine-readable document (OpenAPI ${doc.openapi}): <a href="v1/openapi.json"><code>/api/v1/openapi.json</code></a>.</p>
<nav>${[...byTag.keys()].map((t) => `<a href="#tag-${escapeHtml(t)}">${escapeHtml(t)}</a>`).join('')}</nav>
${sections.join('\n')}
<h2 id="errors">Errors</h2>
<p>Every refusal: <code>{"error":{"code","message","details"}}</code>.</p>
${table(['status', 'codes'], errors)}
</body></html>
`;
}
