-- AlterTable
ALTER TABLE "Participant" ADD COLUMN     "addedById" TEXT;

-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN     "workflowStartedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "passwordChangedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "expiresAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "SignInThrottle" (
    "key" TEXT NOT NULL,
    "failures" BIGINT NOT NULL DEFAULT 0,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "lockedUntil" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SignInThrottle_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "NetworkConsent" (
    "id" TEXT NOT NULL,
    "memberCompanyId" TEXT NOT NULL,
    "networkVatNumber" TEXT NOT NULL,
    "grantedById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NetworkConsent_pkey" PRIMARY KEY ("id")
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
