export { createInventoryTools } from "./inventoryTools.ts";
export { createInventoryData, normalizeStoreId, stockStatus, type InventoryData, type Store, type Warehouse } from "./inventoryData.ts";
