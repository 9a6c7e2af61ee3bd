-- CreateTable
CREATE TABLE "FollowupCase" (
    "id" TEXT NOT NULL,
    "ratingId" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "windowId" TEXT,
    "staffNo" TEXT,
    "level" INTEGER NOT NULL,
    "reasons" TEXT,
    "serviceCode" TEXT,
    "serviceName" TEXT,
    "caseNo" TEXT,
    "ratedAt" TIMESTAMP(3) NOT NULL,
    "ratedDay" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL,
    "openedDay" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "resumeState" TEXT,
    "rectifyKind" TEXT NOT NULL DEFAULT 'simple',
    "callbackDueDay" TEXT NOT NULL,
    "callbackDueAt" TIMESTAMP(3) NOT NULL,
    "rectifyDueDay" TEXT NOT NULL,
    "rectifyDueAt" TIMESTAMP(3) NOT NULL,
    "calledBackAt" TIMESTAMP(3),
    "rectifiedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "voidedAt" TIMESTAMP(3),
    "dueAt" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FollowupCase_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FollowupStep" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "fromState" TEXT,
    "toState" TEXT NOT NULL,
    "decision" TEXT,
    "at" TIMESTAMP(3) NOT NULL,
    "by" TEXT NOT NULL,
    "byTokenId" TEXT,
    "note" TEXT NOT NULL,

    CONSTRAINT "FollowupStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkCalendarYear" (
    "hallId" TEXT NOT NULL DEFAULT '',
    "year" INTEGER NOT NULL,
    "off" TEXT NOT NULL,
    "work" TEXT NOT NULL,
    "source" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT NOT NULL,

    CONSTRAINT "WorkCalendarYear_pkey" PRIMARY KEY ("hallId","year")
);

-- CreateTable
CREATE TABLE "FollowupPolicy" (
    "hallId" TEXT NOT NULL,
    "callbackDays" INTEGER NOT NULL,
    "simpleRectifyDays" INTEGER NOT NULL,
    "complexRectifyDays" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT NOT NULL,

    CONSTRAINT "FollowupPolicy_pkey" PRIMARY KEY ("hallId")
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

-- AddForeignKey
ALTER TABLE "FollowupStep" ADD CONSTRAINT "FollowupStep_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "FollowupCase"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

