-- CreateTable
CREATE TABLE "FundingProject" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "code" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "leadBody" TEXT NOT NULL,
    "partners" TEXT NOT NULL DEFAULT '[]',
    "provinceCode" TEXT NOT NULL,
    "eligibleCostCents" INTEGER NOT NULL,
    "requestedGrantCents" INTEGER NOT NULL,
    "rank" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "FundingProject_code_key" ON "FundingProject"("code");

-- CreateIndex
CREATE UNIQUE INDEX "FundingProject_rank_key" ON "FundingProject"("rank");

