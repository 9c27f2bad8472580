-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "claimToken" TEXT,
ADD COLUMN     "claimedAt" TIMESTAMP(3),
ADD COLUMN     "failureNotice" TEXT,
ADD COLUMN     "sendAt" TIMESTAMP(3),
ADD COLUMN     "toName" TEXT;

-- CreateIndex
CREATE INDEX "OutboxMessage_status_sendAt_idx" ON "OutboxMessage"("status", "sendAt");

-- CreateIndex
CREATE INDEX "OutboxMessage_claimToken_idx" ON "OutboxMessage"("claimToken");

