-- CreateTable
CREATE TABLE "Programme" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "decision" TEXT,
    "startsOn" TEXT,
    "enrollmentOpensOn" TEXT,
    "enrollmentClosesOn" TEXT,
    "endsOn" TEXT,
    "originalEndsOn" TEXT,
    "atsCodes" TEXT NOT NULL DEFAULT '[]',
    "actions" TEXT NOT NULL DEFAULT '[]',
    "alliances" TEXT NOT NULL DEFAULT '[]',
    "sources" TEXT NOT NULL DEFAULT '[]',
    "notes" TEXT,
    "demo" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Programme_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "ProgrammeDecree" (
    "id" TEXT NOT NULL,
    "programmeCode" TEXT NOT NULL,
    "decree" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "previousEndsOn" TEXT,
    "newEndsOn" TEXT,
    "forced" BOOLEAN NOT NULL DEFAULT false,
    "amountCents" BIGINT,
    "note" TEXT,
    "recordedById" TEXT NOT NULL,
    "recordedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "fanOutWorkflowId" TEXT,

    CONSTRAINT "ProgrammeDecree_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ProgrammeDecree_programmeCode_decree_key" ON "ProgrammeDecree"("programmeCode", "decree");

-- AddForeignKey
ALTER TABLE "ProgrammeDecree" ADD CONSTRAINT "ProgrammeDecree_programmeCode_fkey" FOREIGN KEY ("programmeCode") REFERENCES "Programme"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

