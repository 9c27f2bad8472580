-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN     "toName" TEXT;

