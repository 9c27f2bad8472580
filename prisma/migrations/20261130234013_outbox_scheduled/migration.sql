-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "claimToken" TEXT;
ALTER TABLE "OutboxMessage" ADD COLUMN "claimedAt" DATETIME;
ALTER TABLE "OutboxMessage" ADD COLUMN "failureNotice" TEXT;
ALTER TABLE "OutboxMessage" ADD COLUMN "sendAt" DATETIME;
ALTER TABLE "OutboxMessage" ADD COLUMN "toName" TEXT;

-- CreateIndex
CREATE INDEX "OutboxMessage_status_sendAt_idx" ON "OutboxMessage"("status", "sendAt");

-- CreateIndex
CREATE INDEX "OutboxMessage_claimToken_idx" ON "OutboxMessage"("claimToken");

