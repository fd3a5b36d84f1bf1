import { mara } from './fakeApi';
import { legalUser } from './fixtures';

export const marketerSession = { status: 200, body: { user: mara, csrf_token: 'csrf-from-me' } };
export const legalSession = { status: 200, body: { user: legalUser, csrf_token: 'csrf-from-me' } };
