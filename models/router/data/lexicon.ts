import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Catalogue, customers and orders from the τ-bench retail data, for realistic slot values. */
const TAU = (f: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../../data/tau-retail/${f}`, import.meta.url)), "utf8"));

export interface Product {
  name: string;
  options: Record<string, string[]>;
  itemIds: string[];
}

export function loadLexicon() {
  const products: Product[] = Object.values(TAU("products.json") as Record<string, { name: string; variants: Record<string, { item_id: string; options: Record<string, string> }> }>)
    .map((p) => {
      const options: Record<string, string[]> = {};
      for (const v of Object.values(p.variants)) for (const [k, val] of Object.entries(v.options)) (options[k] ??= []).includes(val) || options[k].push(val);
      for (const k of Object.keys(options)) options[k].sort();
      return { name: p.name, options, itemIds: Object.keys(p.variants).sort() };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const users = Object.values(TAU("users.json") as Record<string, { name: { first_name: string; last_name: string }; email: string; address: { city: string; zip: string } }>);
  const orderIds = Object.keys(TAU("orders.json")).sort();
  return {
    products,
    orderIds,
    emails: users.map((u) => u.email).sort(),
    firstNames: [...new Set(users.map((u) => u.name.first_name))].sort(),
    cities: [...new Set(users.map((u) => u.address.city))].sort(),
    zips: [...new Set(users.map((u) => u.address.zip))].sort(),
  };
}
export type Lexicon = ReturnType<typeof loadLexicon>;

/**
 * Everyday retail goods outside the τ-bench catalogue, with generic options. A retailer's customers
 * name products the seed catalogue never had ("the blender", "a tent"); mixing these into every
 * intent's templates keeps an unfamiliar product noun from reading as out-of-scope.
 */
const COLOURS = ["black", "white", "red", "blue", "navy", "grey", "green", "pink", "beige", "brown"];
const SIZES = ["small", "medium", "large", "xl", "xs", "size 8", "size 10", "size 32", "a size up"];
const CAPACITY = ["the bigger one", "the smaller one", "the 2 pack", "the pro model", "the basic model", "the cordless one"];
const GENERIC_GOODS: Record<string, string[]> = {
  apparel: ["jeans", "hoodie", "sweater", "dress", "winter coat", "rain jacket", "leggings", "polo shirt", "blouse", "shorts", "socks", "pajamas", "swimsuit", "scarf", "beanie", "gloves", "belt", "sandals", "slippers", "loafers", "heels", "work boots", "kids jacket", "onesie", "sports bra"],
  home: ["blender", "air fryer", "toaster", "microwave", "slow cooker", "stand mixer", "cookware set", "frying pan", "knife set", "dinnerware set", "mattress", "pillow", "duvet", "bed sheets", "towels", "curtains", "rug", "sofa", "dining table", "bar stools", "tv stand", "mirror", "candle", "storage bins", "space heater", "fan", "humidifier", "iron", "rice cooker", "food processor"],
  tech: ["tv", "smart tv", "soundbar", "gaming console", "controller", "monitor", "printer", "router", "webcam", "usb cable", "hdmi cable", "phone case", "screen protector", "smart speaker", "fitness tracker", "drone", "projector", "hard drive", "memory card", "video doorbell"],
  outdoor: ["tent", "sleeping bag", "camping chair", "cooler", "kayak", "fishing rod", "lawn mower", "leaf blower", "cordless drill", "tool set", "ladder", "bird feeder", "planter", "patio set", "scooter", "treadmill", "kettlebell", "basketball", "golf balls", "tennis racket"],
  other: ["stroller", "car seat", "crib", "baby monitor", "lego set", "board game", "doll", "toy car", "shampoo", "face cream", "hair dryer", "razor", "vitamins", "dog food", "cat litter", "printer ink", "desk", "office desk", "notebooks", "gift card holder"],
};
export const GENERIC_PRODUCTS: readonly Product[] = Object.values(GENERIC_GOODS)
  .flat()
  .map((name) => ({ name, options: { color: COLOURS, size: SIZES, model: CAPACITY }, itemIds: [] }));

/** Lower-cased product names and common short forms, for the featuriser's `hasProduct` flag. */
export function productTerms(lex: Lexicon): string[] {
  const extra = ["tshirt", "tee", "earbuds", "kettle", "headphones", "thermostat", "vacuum", "charger", "power bank", "helmet", "umbrella", "luggage", "boots", "sneakers", "shoes", "mouse", "keyboard", "laptop", "tablet", "phone", "watch", "camera", "speaker", "lamp", "puzzle", "yoga mat", "grill", "bike", "ereader", "kindle"];
  return [...new Set([...lex.products.map((p) => p.name.toLowerCase()), ...GENERIC_PRODUCTS.map((p) => p.name), ...extra])].sort();
}
