-- AlterTable
ALTER TABLE "Participant" ALTER COLUMN "linkNonce" DROP NOT NULL;

