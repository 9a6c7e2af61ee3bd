-- CreateTable
CREATE TABLE "RatingFlag" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "ratingId" TEXT,
    "eventId" TEXT,
    "deviceId" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "windowId" TEXT,
    "staffNo" TEXT,
    "day" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    CONSTRAINT "RatingFlag_ratingId_fkey" FOREIGN KEY ("ratingId") REFERENCES "Rating" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SeqGapScan" (
    "deviceId" TEXT NOT NULL PRIMARY KEY,
    "checkedSeq" INTEGER NOT NULL,
    "scannedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "targetId" TEXT,
    "status" INTEGER NOT NULL,
    "body" TEXT,
    "ip" TEXT
);

-- CreateIndex
CREATE INDEX "RatingFlag_hallId_day_idx" ON "RatingFlag"("hallId", "day");

-- CreateIndex
CREATE UNIQUE INDEX "RatingFlag_kind_ratingId_key" ON "RatingFlag"("kind", "ratingId");

-- CreateIndex
CREATE UNIQUE INDEX "RatingFlag_kind_eventId_key" ON "RatingFlag"("kind", "eventId");

-- CreateIndex
CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");

-- CreateIndex
CREATE INDEX "AuditEntry_actorId_at_idx" ON "AuditEntry"("actorId", "at");

-- CreateIndex
CREATE INDEX "Rating_deviceId_seq_idx" ON "Rating"("deviceId", "seq");


-- Ratings feed staff appraisal: nobody may change or remove one, not even with SQL. The one
-- exception is completing the local day and hour of rows stored before the reports migration
-- (day ''). A void after an appeal is a RatingVoid row; audit entries are kept the same way.
CREATE TRIGGER "Rating_append_only_update" BEFORE UPDATE ON "Rating"
WHEN OLD."day" <> ''
  OR NEW."id" IS NOT OLD."id" OR NEW."deviceId" IS NOT OLD."deviceId" OR NEW."ratingId" IS NOT OLD."ratingId"
  OR NEW."seq" IS NOT OLD."seq" OR NEW."hallId" IS NOT OLD."hallId" OR NEW."windowId" IS NOT OLD."windowId"
  OR NEW."staffNo" IS NOT OLD."staffNo" OR NEW."signedInStaffNo" IS NOT OLD."signedInStaffNo"
  OR NEW."scale" IS NOT OLD."scale" OR NEW."key" IS NOT OLD."key" OR NEW."level" IS NOT OLD."level"
  OR NEW."class" IS NOT OLD."class" OR NEW."reasons" IS NOT OLD."reasons"
  OR NEW."transactionId" IS NOT OLD."transactionId" OR NEW."caseNo" IS NOT OLD."caseNo"
  OR NEW."ticket" IS NOT OLD."ticket" OR NEW."serviceCode" IS NOT OLD."serviceCode"
  OR NEW."serviceName" IS NOT OLD."serviceName" OR NEW."configVersion" IS NOT OLD."configVersion"
  OR NEW."promptedAt" IS NOT OLD."promptedAt" OR NEW."pressedAt" IS NOT OLD."pressedAt"
  OR NEW."receivedAt" IS NOT OLD."receivedAt" OR NEW."replayed" IS NOT OLD."replayed"
  OR NEW."occurredAt" IS NOT OLD."occurredAt"
BEGIN
  SELECT RAISE(ABORT, 'ratings are append-only: a Rating row cannot be changed');
END;

CREATE TRIGGER "Rating_append_only_delete" BEFORE DELETE ON "Rating"
BEGIN
  SELECT RAISE(ABORT, 'ratings are append-only: a Rating row cannot be deleted');
END;

CREATE TRIGGER "RatingVoid_append_only_update" BEFORE UPDATE ON "RatingVoid"
BEGIN
  SELECT RAISE(ABORT, 'void decisions are append-only: a RatingVoid row cannot be changed');
END;

CREATE TRIGGER "RatingVoid_append_only_delete" BEFORE DELETE ON "RatingVoid"
BEGIN
  SELECT RAISE(ABORT, 'void decisions are append-only: a RatingVoid row cannot be deleted');
END;

CREATE TRIGGER "AuditEntry_append_only_update" BEFORE UPDATE ON "AuditEntry"
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only: an AuditEntry row cannot be changed');
END;

CREATE TRIGGER "AuditEntry_append_only_delete" BEFORE DELETE ON "AuditEntry"
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only: an AuditEntry row cannot be deleted');
END;
