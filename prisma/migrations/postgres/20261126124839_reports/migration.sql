-- AlterTable
-- Rows stored before this migration get occurredAt from their pad time (never after receipt) and
-- day '' as a marker: the server fills day/hour in the hall's time zone and rebuilds the rollups
-- at start (server/reports/rollups.ts, completeLegacyRows).
ALTER TABLE "Rating" ADD COLUMN     "day" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "hour" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "occurredAt" TIMESTAMP(3);
UPDATE "Rating" SET "occurredAt" = LEAST("pressedAt", "receivedAt");
ALTER TABLE "Rating" ALTER COLUMN "occurredAt" SET NOT NULL,
ALTER COLUMN "day" DROP DEFAULT,
ALTER COLUMN "hour" DROP DEFAULT;

-- AlterTable
ALTER TABLE "PadEventRecord" ADD COLUMN     "day" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "hour" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "occurredAt" TIMESTAMP(3),
ADD COLUMN     "serviceCode" TEXT,
ADD COLUMN     "serviceName" TEXT;
UPDATE "PadEventRecord" SET "occurredAt" = LEAST("at", "receivedAt");
ALTER TABLE "PadEventRecord" ALTER COLUMN "occurredAt" SET NOT NULL,
ALTER COLUMN "day" DROP DEFAULT,
ALTER COLUMN "hour" DROP DEFAULT;

-- CreateTable
CREATE TABLE "RatingVoid" (
    "id" TEXT NOT NULL,
    "ratingId" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "decidedAt" TIMESTAMP(3) NOT NULL,
    "decidedBy" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "caseId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RatingVoid_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RollupDay" (
    "hallId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "windowId" TEXT NOT NULL,
    "staffNo" TEXT NOT NULL,
    "level1" INTEGER NOT NULL DEFAULT 0,
    "level2" INTEGER NOT NULL DEFAULT 0,
    "level3" INTEGER NOT NULL DEFAULT 0,
    "level4" INTEGER NOT NULL DEFAULT 0,
    "level5" INTEGER NOT NULL DEFAULT 0,
    "voided" INTEGER NOT NULL DEFAULT 0,
    "unrated" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RollupDay_pkey" PRIMARY KEY ("hallId","day","windowId","staffNo")
);

-- CreateTable
CREATE TABLE "RollupService" (
    "hallId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "windowId" TEXT NOT NULL,
    "staffNo" TEXT NOT NULL,
    "serviceCode" TEXT NOT NULL,
    "serviceName" TEXT NOT NULL,
    "level1" INTEGER NOT NULL DEFAULT 0,
    "level2" INTEGER NOT NULL DEFAULT 0,
    "level3" INTEGER NOT NULL DEFAULT 0,
    "level4" INTEGER NOT NULL DEFAULT 0,
    "level5" INTEGER NOT NULL DEFAULT 0,
    "voided" INTEGER NOT NULL DEFAULT 0,
    "unrated" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RollupService_pkey" PRIMARY KEY ("hallId","day","windowId","staffNo","serviceCode","serviceName")
);

-- CreateTable
CREATE TABLE "RollupHour" (
    "hallId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "hour" INTEGER NOT NULL,
    "windowId" TEXT NOT NULL,
    "staffNo" TEXT NOT NULL,
    "level1" INTEGER NOT NULL DEFAULT 0,
    "level2" INTEGER NOT NULL DEFAULT 0,
    "level3" INTEGER NOT NULL DEFAULT 0,
    "level4" INTEGER NOT NULL DEFAULT 0,
    "level5" INTEGER NOT NULL DEFAULT 0,
    "voided" INTEGER NOT NULL DEFAULT 0,
    "unrated" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RollupHour_pkey" PRIMARY KEY ("hallId","day","hour","windowId","staffNo")
);

-- CreateTable
CREATE TABLE "RollupReason" (
    "hallId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "windowId" TEXT NOT NULL,
    "staffNo" TEXT NOT NULL,
    "serviceCode" TEXT NOT NULL,
    "serviceName" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "voided" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RollupReason_pkey" PRIMARY KEY ("hallId","day","windowId","staffNo","serviceCode","serviceName","reason")
);

-- CreateTable
CREATE TABLE "UnratedPolicy" (
    "hallId" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "level" INTEGER,
    "afterDays" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT NOT NULL,

    CONSTRAINT "UnratedPolicy_pkey" PRIMARY KEY ("hallId")
);

-- CreateIndex
CREATE UNIQUE INDEX "RatingVoid_ratingId_key" ON "RatingVoid"("ratingId");

-- CreateIndex
CREATE INDEX "RatingVoid_hallId_decidedAt_idx" ON "RatingVoid"("hallId", "decidedAt");

-- CreateIndex
CREATE INDEX "Rating_hallId_occurredAt_idx" ON "Rating"("hallId", "occurredAt");

-- AddForeignKey
ALTER TABLE "RatingVoid" ADD CONSTRAINT "RatingVoid_ratingId_fkey" FOREIGN KEY ("ratingId") REFERENCES "Rating"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Marks that rows stored before this migration need their local day (see completeLegacyRows).
CREATE TABLE "_rp_backfill" ("name" TEXT NOT NULL PRIMARY KEY);
INSERT INTO "_rp_backfill" ("name") SELECT 'reports' WHERE EXISTS (SELECT 1 FROM "Rating") OR EXISTS (SELECT 1 FROM "PadEventRecord");
