-- CreateTable
CREATE TABLE "FollowupCase" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "ratingId" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "windowId" TEXT,
    "staffNo" TEXT,
    "level" INTEGER NOT NULL,
    "reasons" TEXT,
    "serviceCode" TEXT,
    "serviceName" TEXT,
    "caseNo" TEXT,
    "ratedAt" DATETIME NOT NULL,
    "ratedDay" TEXT NOT NULL,
    "openedAt" DATETIME NOT NULL,
    "openedDay" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "resumeState" TEXT,
    "rectifyKind" TEXT NOT NULL DEFAULT 'simple',
    "callbackDueDay" TEXT NOT NULL,
    "callbackDueAt" DATETIME NOT NULL,
    "rectifyDueDay" TEXT NOT NULL,
    "rectifyDueAt" DATETIME NOT NULL,
    "calledBackAt" DATETIME,
    "rectifiedAt" DATETIME,
    "closedAt" DATETIME,
    "voidedAt" DATETIME,
    "dueAt" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "FollowupStep" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "caseId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT NOT NULL,
    "decision" TEXT,
    "at" DATETIME NOT NULL,
    "by" TEXT NOT NULL,
    "byTokenId" TEXT,
    "note" TEXT NOT NULL,
    CONSTRAINT "FollowupStep_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "FollowupCase" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "WorkCalendarYear" (
    "hallId" TEXT NOT NULL DEFAULT '',
    "year" INTEGER NOT NULL,
    "off" TEXT NOT NULL,
    "work" TEXT NOT NULL,
    "source" TEXT,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT NOT NULL,

    PRIMARY KEY ("hallId", "year")
);

-- CreateTable
CREATE TABLE "FollowupPolicy" (
    "hallId" TEXT NOT NULL PRIMARY KEY,
    "callbackDays" INTEGER NOT NULL,
    "simpleRectifyDays" INTEGER NOT NULL,
    "complexRectifyDays" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "FollowupCase_ratingId_key" ON "FollowupCase"("ratingId");

-- CreateIndex
CREATE INDEX "FollowupCase_hallId_dueAt_idx" ON "FollowupCase"("hallId", "dueAt");

-- CreateIndex
CREATE INDEX "FollowupCase_hallId_ratedDay_idx" ON "FollowupCase"("hallId", "ratedDay");

-- CreateIndex
CREATE INDEX "FollowupCase_dueAt_idx" ON "FollowupCase"("dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "FollowupStep_caseId_seq_key" ON "FollowupStep"("caseId", "seq");

