/** The baseline of the enrollment benchmark: a workflow that does nothing. */
export async function emptyWorkflow(): Promise<void> {}
