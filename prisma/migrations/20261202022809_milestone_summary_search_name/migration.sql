-- DropIndex
DROP INDEX "Enrollment_consultantEmail_status_idx";

-- CreateIndex
CREATE INDEX "Enrollment_consultantEmail_status_currentDueAt_idx" ON "Enrollment"("consultantEmail", "status", "currentDueAt");

-- AlterTable
ALTER TABLE "Company" ADD COLUMN "searchName" TEXT;

-- CreateTable
CREATE TABLE "StepOutcomeSummary" (
    "programmeCode" TEXT NOT NULL,
    "atsCode" TEXT NOT NULL,
    "province" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "allianceCode" TEXT NOT NULL,
    "onTime" INTEGER NOT NULL DEFAULT 0,
    "late" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("programmeCode", "atsCode", "province", "kind", "allianceCode")
);

-- CreateTable
CREATE TABLE "StepDurationSummary" (
    "programmeCode" TEXT NOT NULL,
    "atsCode" TEXT NOT NULL,
    "province" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "allianceCode" TEXT NOT NULL,
    "tenths" INTEGER NOT NULL,
    "steps" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("programmeCode", "atsCode", "province", "kind", "allianceCode", "tenths")
);


-- The work list's search: the name in lower case, accented capitals included (SQLite's lower()
-- folds ASCII only), kept by the database for every writer of a Company row.
CREATE TRIGGER "Company_searchName_insert" AFTER INSERT ON "Company"
BEGIN
  UPDATE "Company" SET "searchName" = lower(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(NEW."name", 'À', 'à'), 'Á', 'á'), 'Â', 'â'), 'Ä', 'ä'), 'È', 'è'), 'É', 'é'), 'Ê', 'ê'), 'Ë', 'ë'), 'Ì', 'ì'), 'Í', 'í'), 'Î', 'î'), 'Ï', 'ï'), 'Ò', 'ò'), 'Ó', 'ó'), 'Ô', 'ô'), 'Ö', 'ö'), 'Ù', 'ù'), 'Ú', 'ú'), 'Û', 'û'), 'Ü', 'ü'), 'Ç', 'ç'), 'Ñ', 'ñ')) WHERE "id" = NEW."id";
END;

CREATE TRIGGER "Company_searchName_update" AFTER UPDATE OF "name" ON "Company"
BEGIN
  UPDATE "Company" SET "searchName" = lower(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(NEW."name", 'À', 'à'), 'Á', 'á'), 'Â', 'â'), 'Ä', 'ä'), 'È', 'è'), 'É', 'é'), 'Ê', 'ê'), 'Ë', 'ë'), 'Ì', 'ì'), 'Í', 'í'), 'Î', 'î'), 'Ï', 'ï'), 'Ò', 'ò'), 'Ó', 'ó'), 'Ô', 'ô'), 'Ö', 'ö'), 'Ù', 'ù'), 'Ú', 'ú'), 'Û', 'û'), 'Ü', 'ü'), 'Ç', 'ç'), 'Ñ', 'ñ')) WHERE "id" = NEW."id";
END;

UPDATE "Company" SET "searchName" = lower(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace("name", 'À', 'à'), 'Á', 'á'), 'Â', 'â'), 'Ä', 'ä'), 'È', 'è'), 'É', 'é'), 'Ê', 'ê'), 'Ë', 'ë'), 'Ì', 'ì'), 'Í', 'í'), 'Î', 'î'), 'Ï', 'ï'), 'Ò', 'ò'), 'Ó', 'ó'), 'Ô', 'ô'), 'Ö', 'ö'), 'Ù', 'ù'), 'Ú', 'ú'), 'Û', 'û'), 'Ü', 'ü'), 'Ç', 'ç'), 'Ñ', 'ñ'));

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
SELECT e."programmeCode", c."atsCode", c."province", e."kind", COALESCE(e."allianceCode", '-'), CAST(ROUND((julianday(ev."occurredAt") - julianday(ev.prev)) * 10) AS INTEGER), COUNT(*)
FROM ev JOIN "Enrollment" e ON e."id" = ev."enrollmentId" JOIN "Company" c ON c."id" = e."companyId"
WHERE ev."type" = 'step_completed' AND ev.prev IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;
