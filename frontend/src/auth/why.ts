/**
 * Why a control is disabled, in words, next to it: every disabled control on
 * the incident page gets a reason (issue 16). `whoMay` names roles as the
 * server's 403 does ("marketers, security and admins"); the roles come from
 * the server where it sends them (a step's `finish_roles`).
 */
import { useId } from 'react';

const ROLE_WORDS: Record<string, string> = {
  marketer: 'marketers',
  legal: 'legal',
  security: 'security',
  admin: 'admins',
};

/** "marketers and admins" for ['marketer', 'admin']; "nobody" for none. */
export function whoMay(roles: readonly string[]): string {
  const names = roles.map((r) => ROLE_WORDS[r] ?? `${r}s`);
  if (names.length === 0) return 'nobody';
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The props that make a control disabled with its reason: title and aria-describedby. */
export interface Disabled {
  disabled: boolean;
  title: string | undefined;
  'aria-describedby': string | undefined;
}

/**
 * A reason for a control and the id of the sentence that shows it:
 * `props(reason)` gives the control's disabled/title/aria-describedby,
 * `<WhyText>` renders the sentence (only when there is a reason).
 */
export function useWhy(reason: string | null | undefined, extraDisabled = false) {
  const id = useId();
  const why = reason || undefined;
  const props: Disabled = {
    disabled: !!why || extraDisabled,
    title: why,
    'aria-describedby': why ? id : undefined,
  };
  return { id, why, props };
}
