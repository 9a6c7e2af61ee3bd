-- CreateTable
CREATE TABLE "QueueTransaction" (
    "id" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "windowId" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "caseNo" TEXT,
    "ticket" TEXT,
    "serviceCode" TEXT,
    "serviceName" TEXT,
    "staffNo" TEXT,
    "startedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "cancelledAt" TIMESTAMP(3),
    "cancelledBy" TEXT,
    "ratingId" TEXT,
    "level" INTEGER,
    "ratingClass" TEXT,
    "ratedAt" TIMESTAMP(3),
    "unratedAt" TIMESTAMP(3),

    CONSTRAINT "QueueTransaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProvisioningKey" (
    "id" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "createdBy" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "devicesCreated" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ProvisioningKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Webhook" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "hallIds" TEXT NOT NULL DEFAULT '[]',
    "mapping" TEXT,
    "headers" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Webhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "hallId" TEXT,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL,
    "claimedBy" TEXT,
    "claimedUntil" TIMESTAMP(3),
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookAttempt" (
    "id" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "status" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    "instance" TEXT NOT NULL,

    CONSTRAINT "WebhookAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "QueueTransaction_ratingId_key" ON "QueueTransaction"("ratingId");

-- CreateIndex
CREATE INDEX "QueueTransaction_hallId_createdAt_idx" ON "QueueTransaction"("hallId", "createdAt");

-- CreateIndex
CREATE INDEX "QueueTransaction_caseNo_idx" ON "QueueTransaction"("caseNo");

-- CreateIndex
CREATE UNIQUE INDEX "ProvisioningKey_keyHash_key" ON "ProvisioningKey"("keyHash");

-- CreateIndex
CREATE INDEX "ProvisioningKey_hallId_idx" ON "ProvisioningKey"("hallId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_webhookId_createdAt_idx" ON "WebhookDelivery"("webhookId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_webhookId_eventKey_key" ON "WebhookDelivery"("webhookId", "eventKey");

-- CreateIndex
CREATE INDEX "WebhookAttempt_deliveryId_at_idx" ON "WebhookAttempt"("deliveryId", "at");

