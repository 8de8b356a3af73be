/** A ScheduleSpec that upstream rejects; the message is what the frontend returns as INVALID_ARGUMENT. */
export class ScheduleSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleSpecError';
  }
}
