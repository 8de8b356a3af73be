/** How often each value went through countedEcho in this test process (reshard tests bound re-executions). */
export const activityRuns = new Map<string, number>();
