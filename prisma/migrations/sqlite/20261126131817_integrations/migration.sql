-- CreateTable
CREATE TABLE "QueueTransaction" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hallId" TEXT NOT NULL,
    "windowId" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "caseNo" TEXT,
    "ticket" TEXT,
    "serviceCode" TEXT,
    "serviceName" TEXT,
    "staffNo" TEXT,
    "startedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "cancelledAt" DATETIME,
    "cancelledBy" TEXT,
    "ratingId" TEXT,
    "level" INTEGER,
    "ratingClass" TEXT,
    "ratedAt" DATETIME,
    "unratedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ProvisioningKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hallId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "createdBy" TEXT NOT NULL,
    "expiresAt" DATETIME,
    "revokedAt" DATETIME,
    "lastUsedAt" DATETIME,
    "devicesCreated" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "Webhook" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "webhookId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "hallId" TEXT,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "claimedBy" TEXT,
    "claimedUntil" DATETIME,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL,
    "deliveredAt" DATETIME
);

-- CreateTable
CREATE TABLE "WebhookAttempt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "deliveryId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "status" INTEGER,
    "error" TEXT,
    "durationMs" INTEGER NOT NULL,
    "instance" TEXT NOT NULL
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

