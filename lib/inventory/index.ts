import "server-only";

export { openReport, reportPages, inventoryInfo, INVENTORY_PAGE_ROWS, type OpenedReport, type InventoryPageOut, type ReportPagesOptions } from "./read";
export { listReports } from "./reports";
export { refuseExistingReport, s3Output, TarOutput } from "./write";
