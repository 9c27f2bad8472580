-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Company" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "vatNumber" TEXT NOT NULL,
    "province" TEXT NOT NULL,
    "atsCode" TEXT NOT NULL,
    "city" TEXT,
    "sector" TEXT NOT NULL,
    "size" TEXT NOT NULL,
    "staff" REAL NOT NULL,
    "peopleEmployed" INTEGER,
    "turnoverCents" INTEGER,
    "balanceSheetCents" INTEGER,
    "relations" TEXT,
    "atecoCode" TEXT,
    "craftRegistered" BOOLEAN,
    "isCareCompany" BOOLEAN NOT NULL DEFAULT false,
    "eligibilityReasons" TEXT,
    "declarantName" TEXT,
    "declarantRole" TEXT,
    "declaredByUserId" TEXT,
    "declaredAt" DATETIME,
    "declaredFromIp" TEXT,
    "declarationAcceptedAt" DATETIME,
    "registered" BOOLEAN NOT NULL DEFAULT true,
    "isNetwork" BOOLEAN NOT NULL DEFAULT false,
    "networkId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Company_networkId_fkey" FOREIGN KEY ("networkId") REFERENCES "Company" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Company" ("atsCode", "balanceSheetCents", "city", "createdAt", "id", "isNetwork", "name", "networkId", "province", "registered", "sector", "size", "staff", "turnoverCents", "vatNumber") SELECT "atsCode", "balanceSheetCents", "city", "createdAt", "id", "isNetwork", "name", "networkId", "province", "registered", "sector", "size", "staff", "turnoverCents", "vatNumber" FROM "Company";
DROP TABLE "Company";
ALTER TABLE "new_Company" RENAME TO "Company";
CREATE UNIQUE INDEX "Company_vatNumber_key" ON "Company"("vatNumber");
CREATE INDEX "Company_networkId_idx" ON "Company"("networkId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

