/** Wire types shared by several features. Field names follow the JSON contract (DESIGN.md). */

/** The roles a user may hold; a user may hold several. */
export type Role = 'marketer' | 'legal' | 'security' | 'admin';

export interface User {
  id: string;
  email: string;
  name: string;
  /** Known roles are typed; an unknown future role is still shown as sent. */
  roles: Array<Role | (string & {})>;
}

/**
 * Answer of `POST /api/v1/session` and `GET /api/v1/me`. `csrf_token` is present
 * for cookie sessions; a bearer-token caller may get none.
 */
export interface SessionResponse {
  user: User;
  csrf_token?: string;
}
