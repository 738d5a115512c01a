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

/** Lower-cased product names and common short forms, for the featuriser's `hasProduct` flag. */
export function productTerms(lex: Lexicon): string[] {
  const extra = ["tshirt", "tee", "earbuds", "kettle", "headphones", "thermostat", "vacuum", "charger", "power bank", "helmet", "umbrella", "luggage", "boots", "sneakers", "shoes", "mouse", "keyboard", "laptop", "tablet", "phone", "watch", "camera", "speaker", "lamp", "puzzle", "yoga mat", "grill", "bike", "ereader", "kindle"];
  return [...new Set([...lex.products.map((p) => p.name.toLowerCase()), ...extra])].sort();
}
