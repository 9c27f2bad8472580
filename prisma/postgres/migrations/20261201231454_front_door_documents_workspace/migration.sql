-- AlterTable
ALTER TABLE "Participant" ADD COLUMN     "anonymisedAt" TIMESTAMP(3),
ADD COLUMN     "careResponsibilities" TEXT,
ADD COLUMN     "gender" TEXT,
ADD COLUMN     "linkNonce" TEXT,
ADD COLUMN     "optionalDataConsentAt" TIMESTAMP(3),
ADD COLUMN     "removedAt" TIMESTAMP(3),
ADD COLUMN     "removedById" TEXT;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "allianceCode" TEXT,
ADD COLUMN     "lastSignInAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "EnrollmentRequest" (
    "id" TEXT NOT NULL,
    "programmeCode" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "atsCode" TEXT NOT NULL,
    "allianceCode" TEXT,
    "payload" TEXT NOT NULL,
    "vatNumber" TEXT NOT NULL,
    "companyName" TEXT NOT NULL,
    "declarantName" TEXT NOT NULL,
    "declarantEmail" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'it',
    "status" TEXT NOT NULL DEFAULT 'pending_confirmation',
    "confirmTokenHash" TEXT,
    "confirmExpiresAt" TIMESTAMP(3),
    "confirmedAt" TIMESTAMP(3),
    "createdFromIp" TEXT,
    "privacyNoticeVersion" TEXT NOT NULL,
    "privacyAcknowledgedAt" TIMESTAMP(3) NOT NULL,
    "optionalDataConsent" BOOLEAN NOT NULL DEFAULT false,
    "companyId" TEXT,
    "requestedById" TEXT,
    "workflowId" TEXT,
    "decidedById" TEXT,
    "decidedAt" TIMESTAMP(3),
    "declineReason" TEXT,
    "consultantEmail" TEXT,
    "enrollmentId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EnrollmentRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccountInvitation" (
    "id" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" TEXT,
    "atsCode" TEXT,
    "allianceCode" TEXT,
    "companyId" TEXT,
    "userId" TEXT,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "invitedById" TEXT,
    "locale" TEXT NOT NULL DEFAULT 'it',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccountInvitation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FormThrottle" (
    "key" TEXT NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,
    "windowStart" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FormThrottle_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "PrivacyAcknowledgement" (
    "id" TEXT NOT NULL,
    "form" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "noticeVersion" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "fromIp" TEXT,

    CONSTRAINT "PrivacyAcknowledgement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrainingSession" (
    "id" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "stepKey" TEXT NOT NULL,
    "startsAt" TIMESTAMP(3) NOT NULL,
    "minutes" BIGINT NOT NULL,
    "place" TEXT,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelledAt" TIMESTAMP(3),

    CONSTRAINT "TrainingSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Attendance" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "participantId" TEXT NOT NULL,
    "participantConfirmedAt" TIMESTAMP(3),
    "attendedMinutes" BIGINT,
    "recordedById" TEXT,
    "recordedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Attendance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveyResponse" (
    "id" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "stepKey" TEXT NOT NULL,
    "surveyKey" TEXT NOT NULL,
    "answers" TEXT NOT NULL,
    "day" TEXT NOT NULL,

    CONSTRAINT "SurveyResponse_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SurveySubmission" (
    "participantId" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "stepKey" TEXT NOT NULL,

    CONSTRAINT "SurveySubmission_pkey" PRIMARY KEY ("participantId","enrollmentId","stepKey")
);

-- CreateTable
CREATE TABLE "StepAcknowledgement" (
    "id" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "stepKey" TEXT NOT NULL,
    "participantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "fromIp" TEXT,

    CONSTRAINT "StepAcknowledgement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Document" (
    "id" TEXT NOT NULL,
    "enrollmentId" TEXT NOT NULL,
    "stepKey" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "storageKey" TEXT NOT NULL,
    "signerName" TEXT,
    "uploadedById" TEXT,
    "uploadedByParticipantId" TEXT,
    "uploaderName" TEXT NOT NULL,
    "idempotencyKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "supersededAt" TIMESTAMP(3),

    CONSTRAINT "Document_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "EnrollmentRequest_confirmTokenHash_key" ON "EnrollmentRequest"("confirmTokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "EnrollmentRequest_workflowId_key" ON "EnrollmentRequest"("workflowId");

-- CreateIndex
CREATE UNIQUE INDEX "EnrollmentRequest_enrollmentId_key" ON "EnrollmentRequest"("enrollmentId");

-- CreateIndex
CREATE INDEX "EnrollmentRequest_status_atsCode_idx" ON "EnrollmentRequest"("status", "atsCode");

-- CreateIndex
CREATE INDEX "EnrollmentRequest_vatNumber_idx" ON "EnrollmentRequest"("vatNumber");

-- CreateIndex
CREATE INDEX "EnrollmentRequest_declarantEmail_idx" ON "EnrollmentRequest"("declarantEmail");

-- CreateIndex
CREATE UNIQUE INDEX "AccountInvitation_tokenHash_key" ON "AccountInvitation"("tokenHash");

-- CreateIndex
CREATE INDEX "AccountInvitation_email_purpose_idx" ON "AccountInvitation"("email", "purpose");

-- CreateIndex
CREATE INDEX "PrivacyAcknowledgement_subject_idx" ON "PrivacyAcknowledgement"("subject");

-- CreateIndex
CREATE INDEX "TrainingSession_enrollmentId_stepKey_idx" ON "TrainingSession"("enrollmentId", "stepKey");

-- CreateIndex
CREATE UNIQUE INDEX "Attendance_sessionId_participantId_key" ON "Attendance"("sessionId", "participantId");

-- CreateIndex
CREATE INDEX "SurveyResponse_enrollmentId_stepKey_idx" ON "SurveyResponse"("enrollmentId", "stepKey");

-- CreateIndex
CREATE UNIQUE INDEX "StepAcknowledgement_enrollmentId_stepKey_participantId_key" ON "StepAcknowledgement"("enrollmentId", "stepKey", "participantId");

-- CreateIndex
CREATE UNIQUE INDEX "Document_storageKey_key" ON "Document"("storageKey");

-- CreateIndex
CREATE UNIQUE INDEX "Document_idempotencyKey_key" ON "Document"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Document_enrollmentId_stepKey_idx" ON "Document"("enrollmentId", "stepKey");

-- CreateIndex
CREATE INDEX "Company_name_idx" ON "Company"("name");

-- CreateIndex
CREATE INDEX "Company_atsCode_idx" ON "Company"("atsCode");

-- CreateIndex
CREATE INDEX "Enrollment_programmeCode_status_idx" ON "Enrollment"("programmeCode", "status");

-- CreateIndex
CREATE INDEX "Enrollment_currentDueAt_idx" ON "Enrollment"("currentDueAt");

-- CreateIndex
CREATE INDEX "Enrollment_createdAt_idx" ON "Enrollment"("createdAt");

-- AddForeignKey
ALTER TABLE "Attendance" ADD CONSTRAINT "Attendance_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "TrainingSession"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attendance" ADD CONSTRAINT "Attendance_participantId_fkey" FOREIGN KEY ("participantId") REFERENCES "Participant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

