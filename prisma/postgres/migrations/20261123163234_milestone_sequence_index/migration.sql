-- CreateIndex
CREATE INDEX "Milestone_enrollmentId_seq_idx" ON "Milestone"("enrollmentId", "seq");

