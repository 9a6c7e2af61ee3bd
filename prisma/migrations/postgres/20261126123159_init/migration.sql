-- CreateTable
CREATE TABLE "Hall" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Hall_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Window" (
    "id" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "signedInStaffId" TEXT,
    "signedInAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Window_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Staff" (
    "id" TEXT NOT NULL,
    "staffNo" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "photoUrl" TEXT,
    "title" TEXT,
    "stars" INTEGER,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Staff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignIn" (
    "id" TEXT NOT NULL,
    "windowId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "deviceId" TEXT,
    "source" TEXT NOT NULL,
    "signedInAt" TIMESTAMP(3) NOT NULL,
    "signedOutAt" TIMESTAMP(3),

    CONSTRAINT "SignIn_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Device" (
    "id" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "windowId" TEXT,
    "label" TEXT,
    "revokedAt" TIMESTAMP(3),
    "configVersion" INTEGER NOT NULL DEFAULT 0,
    "online" BOOLEAN NOT NULL DEFAULT false,
    "connectCount" INTEGER NOT NULL DEFAULT -1,
    "lastSeenAt" TIMESTAMP(3),
    "firmware" TEXT,
    "model" TEXT,
    "padState" TEXT,
    "outboxDepth" INTEGER,
    "appliedConfigVersion" INTEGER,
    "reportedStaffNo" TEXT,
    "clockSkewMs" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Device_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Rating" (
    "id" TEXT NOT NULL,
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
    "promptedAt" TIMESTAMP(3),
    "pressedAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "replayed" BOOLEAN NOT NULL,

    CONSTRAINT "Rating_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PadEventRecord" (
    "id" TEXT NOT NULL,
    "deviceId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "hallId" TEXT NOT NULL,
    "windowId" TEXT,
    "staffNo" TEXT,
    "transactionId" TEXT,
    "payload" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PadEventRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RejectedMessage" (
    "id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "deviceId" TEXT,
    "reason" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "payloadBytes" INTEGER NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RejectedMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "hallIds" TEXT NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Window" ADD CONSTRAINT "Window_hallId_fkey" FOREIGN KEY ("hallId") REFERENCES "Hall"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Window" ADD CONSTRAINT "Window_signedInStaffId_fkey" FOREIGN KEY ("signedInStaffId") REFERENCES "Staff"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Staff" ADD CONSTRAINT "Staff_hallId_fkey" FOREIGN KEY ("hallId") REFERENCES "Hall"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SignIn" ADD CONSTRAINT "SignIn_windowId_fkey" FOREIGN KEY ("windowId") REFERENCES "Window"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SignIn" ADD CONSTRAINT "SignIn_staffId_fkey" FOREIGN KEY ("staffId") REFERENCES "Staff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Device" ADD CONSTRAINT "Device_hallId_fkey" FOREIGN KEY ("hallId") REFERENCES "Hall"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Device" ADD CONSTRAINT "Device_windowId_fkey" FOREIGN KEY ("windowId") REFERENCES "Window"("id") ON DELETE SET NULL ON UPDATE CASCADE;

