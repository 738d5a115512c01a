export { createShippingTools } from "./shippingTools.ts";
export { createShippingData, type ShippingData, type ShippingOption, type SalesTax } from "./shippingData.ts";
export { quoteShipping, isNoncontiguousZip } from "./quote.ts";
