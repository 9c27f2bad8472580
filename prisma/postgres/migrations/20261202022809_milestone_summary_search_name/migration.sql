-- DropIndex
DROP INDEX "Enrollment_consultantEmail_status_idx";

-- CreateIndex
CREATE INDEX "Enrollment_consultantEmail_status_currentDueAt_idx" ON "Enrollment"("consultantEmail", "status", "currentDueAt");

-- AlterTable
-- The work list's search: the name in lower case, computed by the database for every writer.
ALTER TABLE "Company" ADD COLUMN     "searchName" TEXT GENERATED ALWAYS AS (lower("name")) STORED;

-- CreateTable
CREATE TABLE "StepOutcomeSummary" (
    "programmeCode" TEXT NOT NULL,
    "atsCode" TEXT NOT NULL,
    "province" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "allianceCode" TEXT NOT NULL,
    "onTime" BIGINT NOT NULL DEFAULT 0,
    "late" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "StepOutcomeSummary_pkey" PRIMARY KEY ("programmeCode","atsCode","province","kind","allianceCode")
);

-- CreateTable
CREATE TABLE "StepDurationSummary" (
    "programmeCode" TEXT NOT NULL,
    "atsCode" TEXT NOT NULL,
    "province" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "allianceCode" TEXT NOT NULL,
    "tenths" BIGINT NOT NULL,
    "steps" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "StepDurationSummary_pkey" PRIMARY KEY ("programmeCode","atsCode","province","kind","allianceCode","tenths")
);


-- Substrings of it through a trigram index (pg_trgm ships with PostgreSQL, trusted since 13).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "Company_searchName_trgm_idx" ON "Company" USING gin ("searchName" gin_trgm_ops);

-- Backfill: the step outcomes and durations of the milestones already written (the same figures
-- reports/milestones.ts computed from every milestone, kept since by reports/milestone-summary.ts).
INSERT INTO "StepOutcomeSummary" ("programmeCode", "atsCode", "province", "kind", "allianceCode", "onTime", "late")
SELECT e."programmeCode", c."atsCode", c."province", e."kind", COALESCE(e."allianceCode", '-'),
  SUM(CASE WHEN m."onTime" = true THEN 1 ELSE 0 END), SUM(CASE WHEN m."onTime" = false THEN 1 ELSE 0 END)
FROM "Milestone" m JOIN "Enrollment" e ON e."id" = m."enrollmentId" JOIN "Company" c ON c."id" = e."companyId"
WHERE m."type" = 'step_completed'
GROUP BY 1, 2, 3, 4, 5;

WITH ev AS (
  SELECT m."enrollmentId", m."type", m."occurredAt",
    LAG(m."occurredAt") OVER (PARTITION BY m."enrollmentId" ORDER BY m."seq") AS prev
  FROM "Milestone" m
  WHERE m."type" IN ('enrolled', 'step_completed', 'step_reopened')
)
INSERT INTO "StepDurationSummary" ("programmeCode", "atsCode", "province", "kind", "allianceCode", "tenths", "steps")
SELECT e."programmeCode", c."atsCode", c."province", e."kind", COALESCE(e."allianceCode", '-'), CAST(ROUND(EXTRACT(EPOCH FROM (ev."occurredAt" - ev.prev)) / 8640) AS BIGINT), COUNT(*)
FROM ev JOIN "Enrollment" e ON e."id" = ev."enrollmentId" JOIN "Company" c ON c."id" = e."companyId"
WHERE ev."type" = 'step_completed' AND ev.prev IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;
