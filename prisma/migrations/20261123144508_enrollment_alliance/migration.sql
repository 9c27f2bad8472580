-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN "allianceCode" TEXT;

