-- AlterTable
ALTER TABLE "Participant" ADD COLUMN "optedOutAt" DATETIME;

-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "ics" TEXT;

