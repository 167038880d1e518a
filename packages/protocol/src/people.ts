/** Staff are agents and admins: they see internal notes, the queue and every ticket. */
export function isStaffRole(role: string | null | undefined): boolean {
  return role === 'agent' || role === 'admin';
}

/** Russian first: no code, or a language of the Russian-reading world, gives ru; any other code gives en. */
export function languageFrom(code: string | null | undefined): 'ru' | 'en' {
  if (!code) return 'ru';
  const base = code.toLowerCase().split(/[-_]/)[0] ?? '';
  return ['ru', 'uk', 'be', 'kk', 'uz', 'ky', 'tg'].includes(base) ? 'ru' : 'en';
}
