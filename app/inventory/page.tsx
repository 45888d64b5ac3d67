import type { Metadata } from "next";
import { InventoryContainer } from "@/components/inventory/inventory-container";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "S3 Inventory" };

// Reports are read from S3 (which may be slow or down), so they load in the browser.
export default function InventoryPage() {
  return <InventoryContainer />;
}
