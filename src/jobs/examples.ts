/** The bookkeeping of a job just queued, as every kind's examples show it. */
export const QUEUED_JOB = {
  runner: 'in-process',
  attempts: 0,
  error: null,
  createdAt: '2026-01-05T09:00:00.000Z',
  startedAt: null,
  finishedAt: null,
};
