-- CreateTable
CREATE TABLE "RatingVoid" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "ratingId" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "decidedAt" DATETIME NOT NULL,
    "decidedBy" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "caseId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RatingVoid_ratingId_fkey" FOREIGN KEY ("ratingId") REFERENCES "Rating" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
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

    PRIMARY KEY ("hallId", "day", "windowId", "staffNo")
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

    PRIMARY KEY ("hallId", "day", "windowId", "staffNo", "serviceCode", "serviceName")
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

    PRIMARY KEY ("hallId", "day", "hour", "windowId", "staffNo")
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

    PRIMARY KEY ("hallId", "day", "windowId", "staffNo", "serviceCode", "serviceName", "reason")
);

-- CreateTable
CREATE TABLE "UnratedPolicy" (
    "hallId" TEXT NOT NULL PRIMARY KEY,
    "mode" TEXT NOT NULL,
    "level" INTEGER,
    "afterDays" INTEGER,
    "updatedAt" DATETIME NOT NULL,
    "updatedBy" TEXT NOT NULL
);

-- RedefineTables
-- Rows stored before this migration get occurredAt from their pad time (never after receipt) and
-- day '' as a marker: the server fills day/hour in the hall's time zone and rebuilds the rollups
-- at start (server/reports/rollups.ts, completeLegacyRows).
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Rating" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deviceId" TEXT NOT NULL,
    "ratingId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "hallId" TEXT NOT NULL,
    "windowId" TEXT,
    "staffNo" TEXT,
    "signedInStaffNo" TEXT,
    "scale" INTEGER NOT NULL,
    "key" INTEGER NOT NULL,
    "level" INTEGER NOT NULL,
    "class" TEXT NOT NULL,
    "reasons" TEXT,
    "transactionId" TEXT,
    "caseNo" TEXT,
    "ticket" TEXT,
    "serviceCode" TEXT,
    "serviceName" TEXT,
    "configVersion" INTEGER,
    "promptedAt" DATETIME,
    "pressedAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "replayed" BOOLEAN NOT NULL,
    "occurredAt" DATETIME NOT NULL,
    "day" TEXT NOT NULL,
    "hour" INTEGER NOT NULL
);
INSERT INTO "new_Rating" ("caseNo", "class", "configVersion", "deviceId", "hallId", "id", "key", "level", "pressedAt", "promptedAt", "ratingId", "reasons", "receivedAt", "replayed", "scale", "seq", "serviceCode", "serviceName", "signedInStaffNo", "staffNo", "ticket", "transactionId", "windowId", "occurredAt", "day", "hour") SELECT "caseNo", "class", "configVersion", "deviceId", "hallId", "id", "key", "level", "pressedAt", "promptedAt", "ratingId", "reasons", "receivedAt", "replayed", "scale", "seq", "serviceCode", "serviceName", "signedInStaffNo", "staffNo", "ticket", "transactionId", "windowId", MIN("pressedAt", "receivedAt"), '', 0 FROM "Rating";
DROP TABLE "Rating";
ALTER TABLE "new_Rating" RENAME TO "Rating";
CREATE INDEX "Rating_hallId_occurredAt_idx" ON "Rating"("hallId", "occurredAt");
CREATE INDEX "Rating_hallId_receivedAt_idx" ON "Rating"("hallId", "receivedAt");
CREATE INDEX "Rating_windowId_receivedAt_idx" ON "Rating"("windowId", "receivedAt");
CREATE INDEX "Rating_staffNo_receivedAt_idx" ON "Rating"("staffNo", "receivedAt");
CREATE UNIQUE INDEX "Rating_deviceId_ratingId_key" ON "Rating"("deviceId", "ratingId");
CREATE TABLE "new_PadEventRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deviceId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "windowId" TEXT,
    "staffNo" TEXT,
    "transactionId" TEXT,
    "payload" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "serviceCode" TEXT,
    "serviceName" TEXT,
    "occurredAt" DATETIME NOT NULL,
    "day" TEXT NOT NULL,
    "hour" INTEGER NOT NULL
);
INSERT INTO "new_PadEventRecord" ("at", "deviceId", "eventId", "hallId", "id", "payload", "receivedAt", "staffNo", "transactionId", "type", "windowId", "occurredAt", "day", "hour") SELECT "at", "deviceId", "eventId", "hallId", "id", "payload", "receivedAt", "staffNo", "transactionId", "type", "windowId", MIN("at", "receivedAt"), '', 0 FROM "PadEventRecord";
DROP TABLE "PadEventRecord";
ALTER TABLE "new_PadEventRecord" RENAME TO "PadEventRecord";
CREATE INDEX "PadEventRecord_hallId_type_receivedAt_idx" ON "PadEventRecord"("hallId", "type", "receivedAt");
CREATE UNIQUE INDEX "PadEventRecord_deviceId_eventId_key" ON "PadEventRecord"("deviceId", "eventId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "RatingVoid_ratingId_key" ON "RatingVoid"("ratingId");

-- CreateIndex
CREATE INDEX "RatingVoid_hallId_decidedAt_idx" ON "RatingVoid"("hallId", "decidedAt");


-- Marks that rows stored before this migration need their local day (see completeLegacyRows).
CREATE TABLE "_rp_backfill" ("name" TEXT NOT NULL PRIMARY KEY);
INSERT INTO "_rp_backfill" ("name") SELECT 'reports' WHERE EXISTS (SELECT 1 FROM "Rating") OR EXISTS (SELECT 1 FROM "PadEventRecord");
