import { readText } from './repo';

export interface Instruction {
  keyword: string;
  args: string;
  /** Index of the build stage (FROM) it belongs to. */
  stage: number;
  stageName: string | undefined;
}

/** Instructions of a Dockerfile, line continuations joined, comments dropped. */
export function parseDockerfile(relative: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of readText(relative).split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${current}${line}`.trim());
    current = '';
  }
  const out: Instruction[] = [];
  let stage = -1;
  let stageName: string | undefined;
  for (const line of logical) {
    const space = line.indexOf(' ');
    const keyword = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const args = space === -1 ? '' : line.slice(space + 1).trim();
    if (keyword === 'FROM') {
      stage += 1;
      stageName = /\bAS\s+(\S+)$/i.exec(args)?.[1];
    }
    out.push({ keyword, args, stage, stageName });
  }
  return out;
}

/** The JSON (exec) form of CMD / HEALTHCHECK CMD as an array. */
export function execForm(args: string): string[] {
  const start = args.indexOf('[');
  if (start === -1) throw new Error(`not in exec form: ${args}`);
  const parsed: unknown = JSON.parse(args.slice(start));
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
    throw new Error(`not a string array: ${args}`);
  }
  return parsed;
}
