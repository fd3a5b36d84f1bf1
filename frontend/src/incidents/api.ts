/** Incident queries and actions (GET/POST/PATCH /api/v1/incidents…, /api/v1/runbooks). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/ApiProvider';
import type {
  Assessment,
  AssessmentPatch,
  Incident,
  NewTask,
  Person,
  Runbook,
  StepName,
  Task,
  TaskPatch,
  TimelineEntry,
} from '../api/types';
import { useSession } from '../auth/session';
import { LIVE_REFRESH_MS } from '../campaigns/api';

export const incidentKeys = {
  all: ['incidents'] as const,
  list: () => ['incidents', 'list'] as const,
  ofCampaign: (campaignId: string) => ['incidents', 'campaign', campaignId] as const,
  detail: (id: string) => ['incidents', 'detail', id] as const,
  assessment: (id: string) => ['incidents', 'assessment', id] as const,
  tasks: (id: string) => ['incidents', 'tasks', id] as const,
  timeline: (id: string) => ['incidents', 'timeline', id] as const,
};

const path = (id: string, rest = '') => `/api/v1/incidents/${encodeURIComponent(id)}${rest}`;

/** Every incident, open first. Always live: a webhook can open one at any moment. */
export function useIncidents() {
  const api = useApi();
  return useQuery({
    queryKey: incidentKeys.list(),
    queryFn: async ({ signal }) => sortOpenFirst(await api.get<Incident[]>('/api/v1/incidents', { signal })),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

/**
 * One campaign's incidents (GET /api/v1/incidents?campaign_id=…), open first.
 * Live like the list: a webhook can open one for this campaign at any moment.
 */
export function useCampaignIncidents(campaignId: string) {
  const api = useApi();
  return useQuery({
    queryKey: incidentKeys.ofCampaign(campaignId),
    queryFn: async ({ signal }) =>
      sortOpenFirst(await api.get<Incident[]>('/api/v1/incidents', { query: { campaign_id: campaignId }, signal })),
    enabled: !!campaignId,
    refetchInterval: LIVE_REFRESH_MS,
  });
}

/** Open before resolved; within each, newest first (the server's order is kept otherwise). */
export function sortOpenFirst(incidents: Incident[]): Incident[] {
  return [...incidents].sort((a, b) => {
    if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
    return b.detected_at.localeCompare(a.detected_at);
  });
}

export function useIncident(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: incidentKeys.detail(id),
    queryFn: ({ signal }) => api.get<Incident>(path(id), { signal }),
    refetchInterval: (query) => (query.state.data?.status === 'resolved' ? false : LIVE_REFRESH_MS),
  });
}

/** The parts of an incident page refresh while the incident is open. */
function liveWhile(open: boolean) {
  return open ? LIVE_REFRESH_MS : false;
}

export function useAssessment(id: string, open: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: incidentKeys.assessment(id),
    queryFn: ({ signal }) => api.get<Assessment>(path(id, '/assessment'), { signal }),
    refetchInterval: liveWhile(open),
  });
}

/**
 * Every task of the incident, soonest due first: the API pages the list, so
 * this follows X-Next-Cursor to the last page (a plan is read whole).
 */
export function useTasks(id: string, open: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: incidentKeys.tasks(id),
    queryFn: ({ signal }) => api.getAll<Task>(path(id, '/tasks'), { signal }),
    refetchInterval: liveWhile(open),
  });
}

/**
 * The incident's whole timeline, oldest first: the API pages it, so this
 * follows X-Next-Cursor to the last page (an audit trail is not shown cut short).
 */
export function useTimeline(id: string, open: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: incidentKeys.timeline(id),
    queryFn: ({ signal }) => api.getAll<TimelineEntry>(path(id, '/timeline'), { signal }),
    refetchInterval: liveWhile(open),
  });
}

export function useRunbooks() {
  const api = useApi();
  return useQuery({
    queryKey: ['runbooks'],
    queryFn: ({ signal }) => api.get<Runbook[]>('/api/v1/runbooks', { signal }),
    staleTime: Infinity, // fixed at server start-up
  });
}

export function useRunbook(id: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['runbooks', id],
    queryFn: ({ signal }) => api.get<Runbook>(`/api/v1/runbooks/${encodeURIComponent(id!)}`, { signal }),
    enabled: !!id,
    staleTime: Infinity,
  });
}

export const peopleQueryKey = ['people'] as const;

/**
 * Who owner ids are: GET /api/v1/people, which every signed-in role may read.
 * Until it answers (or if it fails), the dashboard still knows the signed-in
 * user from the session.
 */
export function useDirectory() {
  const api = useApi();
  const { data: session } = useSession();
  const me = session?.user;
  const people = useQuery({
    queryKey: peopleQueryKey,
    queryFn: ({ signal }) => api.get<Person[]>('/api/v1/people', { signal }),
    enabled: !!me,
    staleTime: 60_000,
  });
  const known: Person[] = people.data ?? (me ? [me] : []);
  return {
    me,
    /** Everyone an owner picker can offer: every user, once /people has answered. */
    pickable: known,
    nameOf(id: string | null | undefined): string {
      if (!id) return 'Nobody yet';
      if (me && id === me.id) return `${me.name} (you)`;
      const person = known.find((u) => u.id === id);
      if (person) return person.name;
      return people.isPending ? '…' : 'unknown user';
    },
  };
}

function useIncidentMutation<TVars, TResult>(
  fn: (vars: TVars) => Promise<TResult>,
  after?: (result: TResult) => void,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (result) => {
      after?.(result);
      void queryClient.invalidateQueries({ queryKey: incidentKeys.all });
      void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
}

/** `POST /api/v1/incidents`'s body. */
export type Declaration = { campaign_id: string; runbook: string; summary: string };

/**
 * Declare an incident (POST /api/v1/incidents): the new incident (201), or the
 * campaign's open one, unchanged (200: a second declaration joins it).
 */
export function useDeclareIncident() {
  const api = useApi();
  return useIncidentMutation((d: Declaration) => api.post<Incident>('/api/v1/incidents', d));
}

/** What reclassifying does with the old runbook's open tasks: keep them open, or close them as no longer needed. */
export type OldTasks = 'keep' | 'cancel';

export function useIncidentActions(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const setIncident = (inc: Incident) => queryClient.setQueryData(incidentKeys.detail(id), inc);
  const setAssessment = (a: Assessment) => queryClient.setQueryData(incidentKeys.assessment(id), a);
  return {
    /** The first acknowledge only: once owned, the API refuses another owner (409 already_acknowledged). */
    acknowledge: useIncidentMutation(
      (ownerId?: string) => api.post<Incident>(path(id, '/acknowledge'), ownerId ? { owner_id: ownerId } : {}),
      setIncident,
    ),
    /** POST …/owner: hand an acknowledged incident to someone else, for a reason (on the timeline). */
    reassign: useIncidentMutation(
      ({ ownerId, reason }: { ownerId: string; reason: string }) =>
        api.post<Incident>(path(id, '/owner'), { owner_id: ownerId, reason }),
      setIncident,
    ),
    /** POST …/legal-confirmation: legal's sign-off, which a data breach needs before it resolves. */
    confirmLegal: useIncidentMutation(
      (comment: string) => api.post<Incident>(path(id, '/legal-confirmation'), { comment }),
      setIncident,
    ),
    pause: useIncidentMutation(() => api.post<Incident>(path(id, '/pause'), {}), setIncident),
    /**
     * POST …/runbook. `oldTasks` is sent when the person was asked what to do with the old
     * runbook's open tasks; without it the API keeps them (its default).
     */
    reclassify: useIncidentMutation(
      ({ runbook, oldTasks }: { runbook: string; oldTasks?: OldTasks }) =>
        api.post<Incident>(path(id, '/runbook'), oldTasks ? { runbook, old_tasks: oldTasks } : { runbook }),
      setIncident,
    ),
    /**
     * The reason is required by the API while a step is unfinished (422 steps_pending); the
     * closing summary is optional for the API (the dialog asks for it) and ends the report's summary.
     */
    resolve: useIncidentMutation(
      ({ reason, summary }: { reason?: string; summary?: string }) =>
        api.post<Incident>(path(id, '/resolve'), {
          ...(reason ? { reason } : {}),
          ...(summary ? { summary } : {}),
        }),
      setIncident,
    ),
    /** POST …/steps/{step}/complete or …/skip → the incident, with the next step active. */
    finishStep: useIncidentMutation(
      ({ step, skip }: { step: StepName; skip: boolean }) =>
        api.post<Incident>(path(id, `/steps/${encodeURIComponent(step)}/${skip ? 'skip' : 'complete'}`), {}),
      setIncident,
    ),
    computeAssessment: useIncidentMutation(
      () => api.post<Assessment>(path(id, '/assessment'), {}),
      setAssessment,
    ),
    patchAssessment: useIncidentMutation(
      (patch: AssessmentPatch) => api.patch<Assessment>(path(id, '/assessment'), patch),
      setAssessment,
    ),
    addTask: useIncidentMutation((task: NewTask) => api.post<Task>(path(id, '/tasks'), task)),
    /** POST …/notes: a free-text update on the timeline (open or resolved incident). */
    addNote: useIncidentMutation((text: string) => api.post<TimelineEntry>(path(id, '/notes'), { text })),
    patchTask: useIncidentMutation(({ taskId, patch }: { taskId: string; patch: TaskPatch }) =>
      api.patch<Task>(path(id, `/tasks/${encodeURIComponent(taskId)}`), patch),
    ),
  };
}
