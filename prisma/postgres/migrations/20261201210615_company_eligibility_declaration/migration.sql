-- AlterTable
ALTER TABLE "Company" ADD COLUMN     "atecoCode" TEXT,
ADD COLUMN     "craftRegistered" BOOLEAN,
ADD COLUMN     "declarantName" TEXT,
ADD COLUMN     "declarantRole" TEXT,
ADD COLUMN     "declarationAcceptedAt" TIMESTAMP(3),
ADD COLUMN     "declaredAt" TIMESTAMP(3),
ADD COLUMN     "declaredByUserId" TEXT,
ADD COLUMN     "declaredFromIp" TEXT,
ADD COLUMN     "eligibilityReasons" TEXT,
ADD COLUMN     "isCareCompany" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "peopleEmployed" BIGINT,
ADD COLUMN     "relations" TEXT,
ALTER COLUMN "staff" SET DATA TYPE DOUBLE PRECISION;

