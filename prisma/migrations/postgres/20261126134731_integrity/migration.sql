-- CreateTable
CREATE TABLE "RatingFlag" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "ratingId" TEXT,
    "eventId" TEXT,
    "deviceId" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "windowId" TEXT,
    "staffNo" TEXT,
    "day" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RatingFlag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SeqGapScan" (
    "deviceId" TEXT NOT NULL,
    "checkedSeq" INTEGER NOT NULL,
    "scannedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SeqGapScan_pkey" PRIMARY KEY ("deviceId")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "targetId" TEXT,
    "status" INTEGER NOT NULL,
    "body" TEXT,
    "ip" TEXT,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "RatingFlag" ADD CONSTRAINT "RatingFlag_ratingId_fkey" FOREIGN KEY ("ratingId") REFERENCES "Rating"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Ratings feed staff appraisal: nobody may change or remove one, not even with SQL. The one
-- exception is completing the local day and hour of rows stored before the reports migration
-- (day ''). A void after an appeal is a RatingVoid row; audit entries are kept the same way.
CREATE FUNCTION "rp_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'Rating' THEN
    IF OLD."day" = '' AND (to_jsonb(NEW) - 'day' - 'hour') = (to_jsonb(OLD) - 'day' - 'hour') THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION '"%" is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER "Rating_append_only" BEFORE UPDATE OR DELETE ON "Rating"
  FOR EACH ROW EXECUTE FUNCTION "rp_append_only"();
CREATE TRIGGER "Rating_no_truncate" BEFORE TRUNCATE ON "Rating"
  FOR EACH STATEMENT EXECUTE FUNCTION "rp_append_only"();
CREATE TRIGGER "RatingVoid_append_only" BEFORE UPDATE OR DELETE ON "RatingVoid"
  FOR EACH ROW EXECUTE FUNCTION "rp_append_only"();
CREATE TRIGGER "RatingVoid_no_truncate" BEFORE TRUNCATE ON "RatingVoid"
  FOR EACH STATEMENT EXECUTE FUNCTION "rp_append_only"();
CREATE TRIGGER "AuditEntry_append_only" BEFORE UPDATE OR DELETE ON "AuditEntry"
  FOR EACH ROW EXECUTE FUNCTION "rp_append_only"();
CREATE TRIGGER "AuditEntry_no_truncate" BEFORE TRUNCATE ON "AuditEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION "rp_append_only"();
