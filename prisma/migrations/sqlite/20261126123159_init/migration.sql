-- CreateTable
CREATE TABLE "Hall" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    "openingHours" TEXT NOT NULL DEFAULT '[]',
    "scale" INTEGER NOT NULL DEFAULT 5,
    "keyLabels" TEXT,
    "reasons" TEXT NOT NULL,
    "reasonsVersion" INTEGER NOT NULL DEFAULT 1,
    "promptSeconds" INTEGER NOT NULL DEFAULT 10,
    "locale" TEXT NOT NULL DEFAULT 'zh-CN',
    "voice" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Window" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "hallId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "signedInStaffId" TEXT,
    "signedInAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Window_hallId_fkey" FOREIGN KEY ("hallId") REFERENCES "Hall" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Window_signedInStaffId_fkey" FOREIGN KEY ("signedInStaffId") REFERENCES "Staff" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Staff" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "staffNo" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "photoUrl" TEXT,
    "title" TEXT,
    "stars" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Staff_hallId_fkey" FOREIGN KEY ("hallId") REFERENCES "Hall" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SignIn" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "windowId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "deviceId" TEXT,
    "source" TEXT NOT NULL,
    "signedInAt" DATETIME NOT NULL,
    "signedOutAt" DATETIME,
    CONSTRAINT "SignIn_windowId_fkey" FOREIGN KEY ("windowId") REFERENCES "Window" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "SignIn_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Device" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "secretHash" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "windowId" TEXT,
    "label" TEXT,
    "revokedAt" DATETIME,
    "configVersion" INTEGER NOT NULL DEFAULT 0,
    "online" BOOLEAN NOT NULL DEFAULT false,
    "connectCount" INTEGER NOT NULL DEFAULT -1,
    "lastSeenAt" DATETIME,
    "firmware" TEXT,
    "model" TEXT,
    "padState" TEXT,
    "outboxDepth" INTEGER,
    "appliedConfigVersion" INTEGER,
    "reportedStaffNo" TEXT,
    "clockSkewMs" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Device_hallId_fkey" FOREIGN KEY ("hallId") REFERENCES "Hall" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Device_windowId_fkey" FOREIGN KEY ("windowId") REFERENCES "Window" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Rating" (
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
    "replayed" BOOLEAN NOT NULL
);

-- CreateTable
CREATE TABLE "PadEventRecord" (
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
    "receivedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RejectedMessage" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "topic" TEXT NOT NULL,
    "deviceId" TEXT,
    "reason" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "payloadBytes" INTEGER NOT NULL,
    "receivedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "hallIds" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Window_hallId_idx" ON "Window"("hallId");

-- CreateIndex
CREATE UNIQUE INDEX "Window_hallId_name_key" ON "Window"("hallId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Staff_staffNo_key" ON "Staff"("staffNo");

-- CreateIndex
CREATE INDEX "Staff_hallId_idx" ON "Staff"("hallId");

-- CreateIndex
CREATE INDEX "SignIn_windowId_signedInAt_idx" ON "SignIn"("windowId", "signedInAt");

-- CreateIndex
CREATE INDEX "SignIn_staffId_signedInAt_idx" ON "SignIn"("staffId", "signedInAt");

-- CreateIndex
CREATE INDEX "Device_hallId_idx" ON "Device"("hallId");

-- CreateIndex
CREATE INDEX "Device_windowId_idx" ON "Device"("windowId");

-- CreateIndex
CREATE INDEX "Rating_hallId_receivedAt_idx" ON "Rating"("hallId", "receivedAt");

-- CreateIndex
CREATE INDEX "Rating_windowId_receivedAt_idx" ON "Rating"("windowId", "receivedAt");

-- CreateIndex
CREATE INDEX "Rating_staffNo_receivedAt_idx" ON "Rating"("staffNo", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Rating_deviceId_ratingId_key" ON "Rating"("deviceId", "ratingId");

-- CreateIndex
CREATE INDEX "PadEventRecord_hallId_type_receivedAt_idx" ON "PadEventRecord"("hallId", "type", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "PadEventRecord_deviceId_eventId_key" ON "PadEventRecord"("deviceId", "eventId");

-- CreateIndex
CREATE INDEX "RejectedMessage_receivedAt_idx" ON "RejectedMessage"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

