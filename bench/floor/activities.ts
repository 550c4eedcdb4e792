// The floor's one activity: does nothing, so what bench:floor measures is Temporal's own round
// trips (schedule, poll, complete, the workflow task after it).
export interface FloorActivities {
  noop(step: string): Promise<void>;
}

export const floorActivities: FloorActivities = {
  async noop() {},
};
