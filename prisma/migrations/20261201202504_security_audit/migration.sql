-- AlterTable
ALTER TABLE "Participant" ADD COLUMN "addedById" TEXT;

-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN "workflowStartedAt" DATETIME;

-- AlterTable
ALTER TABLE "User" ADD COLUMN "passwordChangedAt" DATETIME;

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN "expiresAt" DATETIME;

-- CreateTable
CREATE TABLE "SignInThrottle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "windowStart" DATETIME NOT NULL,
    "lockedUntil" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "NetworkConsent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "memberCompanyId" TEXT NOT NULL,
    "networkVatNumber" TEXT NOT NULL,
    "grantedById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "NetworkConsent_memberCompanyId_networkVatNumber_key" ON "NetworkConsent"("memberCompanyId", "networkVatNumber");

-- CreateIndex
CREATE INDEX "Participant_addedById_createdAt_idx" ON "Participant"("addedById", "createdAt");

-- CreateIndex
CREATE INDEX "Enrollment_workflowStartedAt_idx" ON "Enrollment"("workflowStartedAt");

-- CreateIndex
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");


-- Rows written before the reconciler existed were started in the same request: mark them so.
UPDATE "Enrollment" SET "workflowStartedAt" = "createdAt";
