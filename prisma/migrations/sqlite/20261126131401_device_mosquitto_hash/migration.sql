-- AlterTable
ALTER TABLE "Device" ADD COLUMN "mosquittoHash" TEXT;

