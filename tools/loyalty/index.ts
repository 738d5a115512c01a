export { createLoyaltyTools, createPromotionTools } from "./loyaltyTools.ts";
export { createLoyaltyData, nextTier, type LoyaltyAccount, type LoyaltyData } from "./loyaltyData.ts";
export { evaluatePromotion, discountFor, isActiveOn, type Promotion, type PromotionUsage, type EligibilityResult } from "./eligibility.ts";
