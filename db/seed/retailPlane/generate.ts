import type { TauDataset } from "../tauDataset.ts";
import { METROS, STATES, WAREHOUSES, type Metro, type Region } from "./geography.ts";
import { rngFor, type Rng } from "./random.ts";

/**
 * The generated retail plane as plain rows: a pure function of the τ-bench dataset, a seed and a
 * reference date (`asOf`, the "today" that loyalty and promotion dates are relative to). Store
 * network and stock do not depend on `asOf`; see docs/DATA.md for the distributions.
 */

/** Bump when generation changes, so an existing database is regenerated on the next seed. */
export const GENERATOR_VERSION = 1;
export const DEFAULT_SEED = 1600;
export const STORE_COUNT = 1600;

export type StoreFormat = "supercenter" | "standard" | "express";
export type Tier = "Bronze" | "Silver" | "Gold" | "Platinum";
export const TIERS: readonly Tier[] = ["Bronze", "Silver", "Gold", "Platinum"];
/** Lifetime net spend (USD) at which each tier starts. */
export const TIER_THRESHOLDS: Record<Tier, number> = { Bronze: 0, Silver: 1000, Gold: 3000, Platinum: 7000 };
/** Points earned per whole dollar spent, by tier. */
export const TIER_EARN_RATE: Record<Tier, number> = { Bronze: 1, Silver: 1.25, Gold: 1.5, Platinum: 2 };

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type OpeningHours = Record<(typeof WEEKDAYS)[number], { open: string; close: string } | null>;

/** Canonical order of store services (lists are stored in this order). */
export const STORE_SERVICES = [
  "pickup",
  "curbside",
  "returns",
  "same_day_delivery",
  "pharmacy",
  "optical",
  "photo",
  "auto_care",
  "garden_center",
  "electronics_repair",
] as const;
export type StoreService = (typeof STORE_SERVICES)[number];

export interface StoreRow {
  store_id: string;
  name: string;
  format: StoreFormat;
  address1: string;
  city: string;
  state: string;
  zip: string;
  lat: number;
  lon: number;
  phone: string;
  opening_hours: OpeningHours;
  services: StoreService[];
  metro_id: number;
  opened_on: string;
}
export interface StockRow {
  location_id: string;
  item_id: string;
  on_hand: number;
}
export interface LoyaltyAccountRow {
  user_id: string;
  tier: Tier;
  points: number;
  lifetime_spend: number;
  member_since: string;
}
export interface PointsEntryRow {
  user_id: string;
  occurred_on: string;
  kind: "enrolment" | "purchase" | "bonus" | "redemption" | "adjustment";
  points: number;
  order_id: string | null;
  description: string;
}
export interface PromotionRow {
  promo_code: string;
  description: string;
  discount_type: "percent" | "amount";
  discount_value: number;
  min_subtotal: number;
  max_discount: number | null;
  eligible_tiers: Tier[] | null;
  eligible_regions: Region[] | null;
  starts_on: string;
  ends_on: string;
  max_uses_per_customer: number | null;
  cooldown_days: number;
}
export interface PromotionUsageRow {
  user_id: string;
  promo_code: string;
  used_on: string;
  order_id: string | null;
  discount_amount: number;
}
export interface ShippingOptionRow {
  option_id: "standard" | "expedited" | "same_day";
  name: string;
  price: number;
  free_over_subtotal: number | null;
  free_for_tiers: Tier[];
  min_days: number;
  max_days: number;
  order_cutoff: string;
  max_store_distance_miles: number | null;
  noncontiguous_surcharge: number;
  position: number;
}

export interface RetailPlane {
  seed: number;
  asOf: string;
  metros: (Metro & { metro_id: number })[];
  stores: StoreRow[];
  storeInventory: StockRow[];
  warehouseInventory: StockRow[];
  loyaltyAccounts: LoyaltyAccountRow[];
  pointsHistory: PointsEntryRow[];
  promotions: PromotionRow[];
  promotionUsages: PromotionUsageRow[];
  shippingOptions: ShippingOptionRow[];
}

// ---------- dates (UTC calendar days as YYYY-MM-DD) ----------
const DAY_MS = 86_400_000;
export const addDays = (isoDate: string, days: number): string =>
  new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
const round2 = (x: number) => Math.round(x * 100) / 100;

export function tierForSpend(spend: number): Tier {
  if (spend >= TIER_THRESHOLDS.Platinum) return "Platinum";
  if (spend >= TIER_THRESHOLDS.Gold) return "Gold";
  if (spend >= TIER_THRESHOLDS.Silver) return "Silver";
  return "Bronze";
}

const regionOfState = new Map(STATES.map((s) => [s.state, s.region]));
export function regionOf(state: string): Region | undefined {
  return regionOfState.get(state.toUpperCase());
}

// ---------- stores ----------
const STREETS = [
  "Main", "Oak", "Maple", "Washington", "Lincoln", "Park", "Lake", "Hill", "Ridge", "Center", "Market",
  "Commerce", "Broadway", "Highland", "Sunset", "Pine", "Cedar", "Elm", "University", "Airport", "Mill",
  "Church", "Spring", "River", "Meadow", "Valley", "Forest", "Harbor", "Jefferson", "Madison", "Franklin",
  "Jackson", "Union", "Liberty", "Summit", "Prospect", "Grand", "Central", "Chestnut", "Walnut",
];
const STREET_TYPES = ["St", "Ave", "Blvd", "Rd", "Pkwy", "Dr", "Hwy", "Way"];
const NAME_FEATURES = ["Commons", "Crossing", "Plaza", "Marketplace", "Square", "Center", "Village", "Station", "Heights", "Park"];
const COMPASS = ["North", "Northeast", "East", "Southeast", "South", "Southwest", "West", "Northwest"];

/** Stores per metro in proportion to population (largest remainder), at least one each. */
function allocateStores(total: number): number[] {
  const pop = METROS.reduce((s, m) => s + m.populationK, 0);
  const quotas = METROS.map((m) => (total * m.populationK) / pop);
  const counts = quotas.map((q) => Math.max(1, Math.floor(q)));
  let diff = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = quotas.map((q, i) => ({ i, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; diff > 0; k = (k + 1) % byRemainder.length, diff--) counts[byRemainder[k].i]++;
  const byQuota = quotas.map((q, i) => ({ i, q })).sort((a, b) => b.q - a.q || a.i - b.i);
  for (let k = 0; diff < 0; k = (k + 1) % byQuota.length) {
    if (counts[byQuota[k].i] > 1) {
      counts[byQuota[k].i]--;
      diff++;
    }
  }
  return counts;
}

function hhmm(hour: number): string {
  return `${String(hour).padStart(2, "0")}:00`;
}

function openingHours(rng: Rng, format: StoreFormat): OpeningHours {
  const hours = {} as OpeningHours;
  if (format === "supercenter" && rng.chance(0.25)) {
    for (const d of WEEKDAYS) hours[d] = { open: "00:00", close: "24:00" }; // open around the clock
    return hours;
  }
  const open = format === "express" ? rng.pick([6, 7]) : rng.pick([7, 8, 8, 9]);
  const close = format === "express" ? rng.pick([21, 22, 23]) : rng.pick([21, 22, 22, 23]);
  const sundayOpen = Math.max(open, rng.pick([8, 9, 10]));
  const sundayClose = Math.min(close, rng.pick([19, 20, 21]));
  const sundayClosed = format === "standard" && rng.chance(0.03);
  for (const d of WEEKDAYS) {
    if (d === "sunday") hours[d] = sundayClosed ? null : { open: hhmm(sundayOpen), close: hhmm(sundayClose) };
    else hours[d] = { open: hhmm(open), close: hhmm(close) };
  }
  return hours;
}

// Probability of each service by store format: [supercenter, standard, express].
const SERVICE_ODDS: Record<StoreService, [number, number, number]> = {
  pickup: [1, 0.95, 0.8],
  curbside: [0.9, 0.7, 0.3],
  returns: [1, 1, 0.7],
  same_day_delivery: [0.8, 0.6, 0.3],
  pharmacy: [0.9, 0.45, 0],
  optical: [0.5, 0.15, 0],
  photo: [0.45, 0.25, 0.05],
  auto_care: [0.4, 0.05, 0],
  garden_center: [0.7, 0.3, 0],
  electronics_repair: [0.3, 0.15, 0.05],
};

function generateStores(seed: number): StoreRow[] {
  const rng = rngFor(seed, "stores");
  const counts = allocateStores(STORE_COUNT);
  const drafts: Omit<StoreRow, "store_id">[] = [];
  const usedNames = new Set<string>();
  METROS.forEach((m, metroIndex) => {
    // Big metros sprawl: stores spread over a radius growing with the square root of population.
    const radius = 5 + 11 * Math.sqrt(m.populationK / 1000);
    for (let k = 0; k < counts[metroIndex]; k++) {
      const r = radius * rng.next() ** 0.75;
      const theta = rng.next() * 2 * Math.PI;
      const lat = m.lat + (r * Math.cos(theta)) / 69.0;
      const lon = m.lon + (r * Math.sin(theta)) / (69.0 * Math.cos((m.lat * Math.PI) / 180));
      const u = rng.next();
      const format: StoreFormat = u < 0.2 ? "supercenter" : u < 0.75 ? "standard" : "express";
      const fi = format === "supercenter" ? 0 : format === "standard" ? 1 : 2;
      // Compass sector from the city centre (0 = north, clockwise), "Downtown" near the centre.
      const sector = Math.round((((Math.atan2(Math.sin(theta), Math.cos(theta)) * 180) / Math.PI + 360) % 360) / 45) % 8;
      const area = r < radius * 0.2 ? rng.pick(["Downtown", "Midtown", "Central"]) : COMPASS[sector];
      let name = `Aisle ${m.city} ${area} ${rng.pick(NAME_FEATURES)}`;
      for (let n = 2; usedNames.has(name); n++) name = `Aisle ${m.city} ${area} ${n}`;
      usedNames.add(name);
      const services = STORE_SERVICES.filter((s) => rng.chance(SERVICE_ODDS[s][fi]));
      const areaCode = 200 + ((metroIndex * 37) % 790);
      drafts.push({
        name,
        format,
        address1: `${rng.int(100, 9899)} ${rng.pick(STREETS)} ${rng.pick(STREET_TYPES)}`,
        city: m.city,
        state: m.state,
        zip: `${rng.pick(m.zipPrefixes)}${String(rng.int(1, 99)).padStart(2, "0")}`,
        lat: Math.round(lat * 1e5) / 1e5,
        lon: Math.round(lon * 1e5) / 1e5,
        phone: `(${areaCode}) 555-${String(rng.int(0, 9999)).padStart(4, "0")}`,
        opening_hours: openingHours(rng, format),
        services,
        metro_id: metroIndex + 1,
        opened_on: addDays("1985-01-01", rng.int(0, 14_200)),
      });
    }
  });
  // Store numbers follow opening order, as in most chains.
  drafts.sort((a, b) => a.opened_on.localeCompare(b.opened_on) || a.name.localeCompare(b.name));
  return drafts.map((d, i) => ({ store_id: String(i + 1).padStart(4, "0"), ...d }));
}

// ---------- stock ----------
interface VariantRef {
  item_id: string;
  available: boolean;
}

function variantsOf(data: TauDataset): VariantRef[] {
  return Object.values(data.products)
    .flatMap((p) => Object.values(p.variants).map((v) => ({ item_id: v.item_id, available: v.available })))
    .sort((a, b) => a.item_id.localeCompare(b.item_id));
}

// Share of the catalogue each format carries (before per-variant popularity).
const ASSORTMENT: Record<StoreFormat, number> = { supercenter: 0.85, standard: 0.6, express: 0.3 };

function storeQuantity(rng: Rng, available: boolean): number {
  const u = rng.next();
  if (!available) return 0; // discontinued variants linger on the planogram at zero
  if (u < 0.28) return 0; // out of stock
  if (u < 0.63) return rng.int(1, 3); // low stock
  if (u < 0.93) return rng.int(4, 15);
  return 16 + Math.floor(rng.next() ** 3 * 135); // a few deep piles (promo end-caps)
}

function warehouseQuantity(rng: Rng, available: boolean): number {
  const u = rng.next();
  if (!available) return 0;
  if (u < 0.08) return 0;
  if (u < 0.25) return rng.int(1, 24);
  if (u < 0.85) return rng.int(25, 400);
  return 400 + Math.floor(rng.next() ** 2 * 2600);
}

function generateStock(seed: number, stores: StoreRow[], variants: VariantRef[]) {
  const rng = rngFor(seed, "inventory");
  const popularity = variants.map(() => 0.6 + 0.8 * rng.next());
  const storeInventory: StockRow[] = [];
  for (const s of stores) {
    const share = ASSORTMENT[s.format];
    variants.forEach((v, i) => {
      if (rng.next() < Math.min(0.98, share * popularity[i])) {
        storeInventory.push({ location_id: s.store_id, item_id: v.item_id, on_hand: storeQuantity(rng, v.available) });
      }
    });
  }
  const wrng = rngFor(seed, "warehouse-inventory");
  const warehouseInventory: StockRow[] = WAREHOUSES.flatMap((w) =>
    variants.map((v) => ({ location_id: w.warehouseId, item_id: v.item_id, on_hand: warehouseQuantity(wrng, v.available) })),
  );
  return { storeInventory, warehouseInventory };
}

// ---------- promotions ----------
// Windows are days relative to asOf, so a freshly seeded plane always has live, expired and
// upcoming promotions. cooldown_days: not redeemable within N days of any earlier promotion use.
const PROMOTION_TEMPLATES: (Omit<PromotionRow, "starts_on" | "ends_on"> & { from: number; to: number })[] = [
  { promo_code: "WELCOME10", description: "10% off for new Bronze members", discount_type: "percent", discount_value: 10, min_subtotal: 0, max_discount: 50, eligible_tiers: ["Bronze"], eligible_regions: null, from: -365, to: 365, max_uses_per_customer: 1, cooldown_days: 0 },
  { promo_code: "LOYALTY5", description: "$5 off any purchase for members", discount_type: "amount", discount_value: 5, min_subtotal: 0, max_discount: null, eligible_tiers: null, eligible_regions: null, from: -365, to: 365, max_uses_per_customer: null, cooldown_days: 0 },
  { promo_code: "SAVE20", description: "$20 off orders of $100 or more", discount_type: "amount", discount_value: 20, min_subtotal: 100, max_discount: null, eligible_tiers: null, eligible_regions: null, from: -90, to: 60, max_uses_per_customer: 3, cooldown_days: 30 },
  { promo_code: "SILVER15", description: "15% off for Silver members and above", discount_type: "percent", discount_value: 15, min_subtotal: 50, max_discount: 75, eligible_tiers: ["Silver", "Gold", "Platinum"], eligible_regions: null, from: -180, to: 180, max_uses_per_customer: 2, cooldown_days: 30 },
  { promo_code: "GOLD20", description: "20% off for Gold and Platinum members", discount_type: "percent", discount_value: 20, min_subtotal: 50, max_discount: 150, eligible_tiers: ["Gold", "Platinum"], eligible_regions: null, from: -120, to: 120, max_uses_per_customer: 2, cooldown_days: 30 },
  { promo_code: "PLATINUM25", description: "25% off for Platinum members", discount_type: "percent", discount_value: 25, min_subtotal: 0, max_discount: 250, eligible_tiers: ["Platinum"], eligible_regions: null, from: -60, to: 300, max_uses_per_customer: 4, cooldown_days: 30 },
  { promo_code: "FLASH40", description: "48-hour flash sale: 40% off for Gold and Platinum", discount_type: "percent", discount_value: 40, min_subtotal: 0, max_discount: 200, eligible_tiers: ["Gold", "Platinum"], eligible_regions: null, from: -3, to: 2, max_uses_per_customer: 1, cooldown_days: 30 },
  { promo_code: "CLEARANCE30", description: "30% off during the clearance event", discount_type: "percent", discount_value: 30, min_subtotal: 0, max_discount: 60, eligible_tiers: null, eligible_regions: null, from: -15, to: 15, max_uses_per_customer: 1, cooldown_days: 30 },
  { promo_code: "STUDENT10", description: "10% off for Bronze and Silver members", discount_type: "percent", discount_value: 10, min_subtotal: 25, max_discount: 40, eligible_tiers: ["Bronze", "Silver"], eligible_regions: null, from: -150, to: 30, max_uses_per_customer: 2, cooldown_days: 30 },
  { promo_code: "NORTHEAST10", description: "10% off in the Northeast", discount_type: "percent", discount_value: 10, min_subtotal: 0, max_discount: 50, eligible_tiers: null, eligible_regions: ["Northeast"], from: -30, to: 45, max_uses_per_customer: 1, cooldown_days: 30 },
  { promo_code: "SUNBELT15", description: "15% off in the Southeast and South Central regions", discount_type: "percent", discount_value: 15, min_subtotal: 50, max_discount: 100, eligible_tiers: null, eligible_regions: ["Southeast", "South Central"], from: -45, to: 30, max_uses_per_customer: 1, cooldown_days: 30 },
  { promo_code: "MIDWEST25", description: "$25 off $150 or more in the Midwest", discount_type: "amount", discount_value: 25, min_subtotal: 150, max_discount: null, eligible_tiers: null, eligible_regions: ["Midwest"], from: -20, to: 40, max_uses_per_customer: 1, cooldown_days: 30 },
  { promo_code: "MOUNTAIN30", description: "$30 off $200 or more in the Mountain region", discount_type: "amount", discount_value: 30, min_subtotal: 200, max_discount: null, eligible_tiers: null, eligible_regions: ["Mountain"], from: -10, to: 50, max_uses_per_customer: 1, cooldown_days: 30 },
  { promo_code: "PACIFIC12", description: "12% off in the Pacific region", discount_type: "percent", discount_value: 12, min_subtotal: 0, max_discount: 80, eligible_tiers: null, eligible_regions: ["Pacific"], from: -60, to: 15, max_uses_per_customer: 1, cooldown_days: 30 },
  { promo_code: "COASTAL75", description: "$75 off $750 or more for Gold and Platinum members on the coasts", discount_type: "amount", discount_value: 75, min_subtotal: 750, max_discount: null, eligible_tiers: ["Gold", "Platinum"], eligible_regions: ["Northeast", "Pacific"], from: -50, to: 50, max_uses_per_customer: 1, cooldown_days: 30 },
  { promo_code: "HOLIDAY25", description: "25% off holiday event (ended)", discount_type: "percent", discount_value: 25, min_subtotal: 0, max_discount: 100, eligible_tiers: null, eligible_regions: null, from: -420, to: -380, max_uses_per_customer: 1, cooldown_days: 30 },
  { promo_code: "TECH50", description: "$50 off $500 or more on electronics (ended)", discount_type: "amount", discount_value: 50, min_subtotal: 500, max_discount: null, eligible_tiers: null, eligible_regions: null, from: -200, to: -100, max_uses_per_customer: 1, cooldown_days: 30 },
  { promo_code: "SPRINGAHEAD", description: "$15 off $75 or more (starts soon)", discount_type: "amount", discount_value: 15, min_subtotal: 75, max_discount: null, eligible_tiers: null, eligible_regions: null, from: 20, to: 80, max_uses_per_customer: 1, cooldown_days: 30 },
];

function generatePromotions(asOf: string): PromotionRow[] {
  return PROMOTION_TEMPLATES.map(({ from, to, ...p }) => ({ ...p, starts_on: addDays(asOf, from), ends_on: addDays(asOf, to) }));
}

export function promotionDiscount(p: Pick<PromotionRow, "discount_type" | "discount_value" | "max_discount">, subtotal: number): number {
  const raw = p.discount_type === "percent" ? (subtotal * p.discount_value) / 100 : Math.min(p.discount_value, subtotal);
  return round2(p.max_discount == null ? raw : Math.min(raw, p.max_discount));
}

// ---------- loyalty ----------
function generateLoyalty(seed: number, asOf: string, data: TauDataset, promotions: PromotionRow[]) {
  const rng = rngFor(seed, "loyalty");
  const prng = rngFor(seed, "promotion-usage");
  const accounts: LoyaltyAccountRow[] = [];
  const history: PointsEntryRow[] = [];
  const usages: PromotionUsageRow[] = [];
  for (const userId of Object.keys(data.users).sort()) {
    const user = data.users[userId];
    const region = regionOf(user.address.state);
    // τ-bench orders carry no dates: open orders are recent, settled ones spread over two years.
    const orders = user.orders
      .map((oid) => data.orders[oid])
      .filter(Boolean)
      .map((o) => {
        const net = round2(o.payment_history.reduce((s, p) => s + (p.transaction_type === "payment" ? p.amount : -p.amount), 0));
        const open = o.status === "pending" || o.status === "processed";
        return { o, net, date: addDays(asOf, -(open ? rng.int(1, 14) : rng.int(20, 720))) };
      });
    const spend = round2(orders.reduce((s, x) => s + x.net, 0));
    const tier = tierForSpend(spend);
    const firstOrder = orders.reduce((min, x) => (x.date < min ? x.date : min), asOf);
    const memberSince = addDays(firstOrder, -rng.int(0, 400));

    const entries: PointsEntryRow[] = [
      { user_id: userId, occurred_on: memberSince, kind: "enrolment", points: 250, order_id: null, description: "Welcome bonus" },
    ];
    for (const x of orders) {
      if (x.o.status === "cancelled" || x.net <= 0) continue;
      entries.push({
        user_id: userId,
        occurred_on: x.date,
        kind: "purchase",
        points: Math.floor(Math.floor(x.net) * TIER_EARN_RATE[tier]),
        order_id: x.o.order_id,
        description: `Purchase ${x.o.order_id}`,
      });
    }
    if (rng.chance(0.25)) {
      const d = addDays(asOf, -rng.int(1, Math.max(1, daysBetween(memberSince, asOf))));
      entries.push({ user_id: userId, occurred_on: d < memberSince ? memberSince : d, kind: "bonus", points: rng.pick([100, 200, 250, 500]), order_id: null, description: "Birthday bonus" });
    }
    entries.sort((a, b) => a.occurred_on.localeCompare(b.occurred_on));
    // Walk chronologically: members redeem once they have a comfortable balance.
    let balance = 0;
    const withRedemptions: PointsEntryRow[] = [];
    for (const e of entries) {
      withRedemptions.push(e);
      balance += e.points;
      if (balance >= 1000 && rng.chance(0.35)) {
        const amount = rng.pick([500, 1000, 2000].filter((a) => a <= balance));
        const d = addDays(e.occurred_on, rng.int(1, 30));
        if (d < asOf) {
          withRedemptions.push({ user_id: userId, occurred_on: d, kind: "redemption", points: -amount, order_id: null, description: `Redeemed ${amount} points for $${amount / 100} reward` });
          balance -= amount;
        }
      }
    }
    withRedemptions.sort((a, b) => a.occurred_on.localeCompare(b.occurred_on));
    history.push(...withRedemptions);
    accounts.push({ user_id: userId, tier, points: balance, lifetime_spend: spend, member_since: memberSince });

    // Promotion usage: some orders used a code live at the time; some members redeemed one in
    // store recently (so "no promotion within the last 30 days" rules have real cases).
    const mine: PromotionUsageRow[] = [];
    const usable = (p: PromotionRow, date: string) =>
      p.starts_on <= date &&
      date <= p.ends_on &&
      date >= memberSince &&
      (p.eligible_tiers == null || p.eligible_tiers.includes(tier)) &&
      (p.eligible_regions == null || (region != null && p.eligible_regions.includes(region))) &&
      (p.max_uses_per_customer == null || mine.filter((u) => u.promo_code === p.promo_code).length < p.max_uses_per_customer) &&
      mine.every((u) => Math.abs(daysBetween(u.used_on, date)) > Math.max(p.cooldown_days, 1));
    for (const x of orders) {
      if (x.o.status === "cancelled" || !prng.chance(0.3)) continue;
      const subtotal = x.o.items.reduce((s, it) => s + it.price, 0);
      const options = promotions.filter((p) => subtotal >= p.min_subtotal && usable(p, x.date));
      if (!options.length) continue;
      const p = prng.pick(options);
      mine.push({ user_id: userId, promo_code: p.promo_code, used_on: x.date, order_id: x.o.order_id, discount_amount: promotionDiscount(p, subtotal) });
    }
    if (prng.chance(0.15)) {
      const date = addDays(asOf, -prng.int(1, 29));
      const options = promotions.filter((p) => usable(p, date));
      if (options.length) {
        const p = prng.pick(options);
        const basket = round2(prng.int(2000, 40000) / 100);
        mine.push({ user_id: userId, promo_code: p.promo_code, used_on: date, order_id: null, discount_amount: promotionDiscount(p, Math.max(basket, p.min_subtotal)) });
      }
    }
    mine.sort((a, b) => a.used_on.localeCompare(b.used_on) || a.promo_code.localeCompare(b.promo_code));
    usages.push(...mine);
  }
  return { accounts, history, usages };
}

// ---------- shipping ----------
const SHIPPING_OPTIONS: ShippingOptionRow[] = [
  { option_id: "standard", name: "Standard shipping", price: 5.99, free_over_subtotal: 35, free_for_tiers: ["Gold", "Platinum"], min_days: 3, max_days: 5, order_cutoff: "23:59", max_store_distance_miles: null, noncontiguous_surcharge: 10, position: 1 },
  { option_id: "expedited", name: "Expedited shipping", price: 14.99, free_over_subtotal: null, free_for_tiers: ["Platinum"], min_days: 1, max_days: 2, order_cutoff: "17:00", max_store_distance_miles: null, noncontiguous_surcharge: 25, position: 2 },
  { option_id: "same_day", name: "Same-day delivery", price: 9.99, free_over_subtotal: 150, free_for_tiers: [], min_days: 0, max_days: 0, order_cutoff: "14:00", max_store_distance_miles: 20, noncontiguous_surcharge: 0, position: 3 },
];

export function generateRetailPlane(data: TauDataset, opts: { seed: number; asOf: string }): RetailPlane {
  const { seed, asOf } = opts;
  const stores = generateStores(seed);
  const { storeInventory, warehouseInventory } = generateStock(seed, stores, variantsOf(data));
  const promotions = generatePromotions(asOf);
  const loyalty = generateLoyalty(seed, asOf, data, promotions);
  return {
    seed,
    asOf,
    metros: METROS.map((m, i) => ({ ...m, metro_id: i + 1 })),
    stores,
    storeInventory,
    warehouseInventory,
    loyaltyAccounts: loyalty.accounts,
    pointsHistory: loyalty.history,
    promotions,
    promotionUsages: loyalty.usages,
    shippingOptions: SHIPPING_OPTIONS,
  };
}
