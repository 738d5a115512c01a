import type { Db } from "../../db/executor.ts";
import { getVariants } from "../catalogue/catalogueDb.ts";
import { defineTool, type AisleTool } from "../defineTool.ts";
import { lockPaymentMethod, lockPaymentMethods, appendPayments, setGiftCardBalance, type Payment } from "../payments/paymentsDb.ts";
import { pyRound } from "../pythonJson.ts";
import { dumpRecord } from "../tauJson.ts";
import * as spec from "../tauSchemas.ts";
import { z } from "zod";
import {
  findUserIdByEmail,
  findUserIdByNameZip,
  getOrder,
  getUser,
  lockOrder,
  lockUser,
  replaceOrderItems,
  setOrderAddress,
  setUserAddress,
  updateOrder,
  type OrderItem,
  type OrderRecord,
} from "./ordersDb.ts";

/** Python's `lst.count(x)`. */
const count = (list: readonly string[], x: string) => list.reduce((n, y) => n + (y === x ? 1 : 0), 0);
/** Python's `sorted()` on strings (code point order). */
const sorted = (list: readonly string[]) => [...list].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** The first item id requested more often than the order holds it, if any. */
function missingItem(order: OrderRecord, itemIds: readonly string[]): string | undefined {
  const held = order.items.map((i) => i.item_id);
  return itemIds.find((id) => count(itemIds, id) > count(held, id));
}

/**
 * Checks that each new item is an available variant of the old item's product and sums the price
 * difference exactly as τ-bench does (unrounded float accumulation from 0).
 */
async function priceDifference(
  db: Db,
  order: OrderRecord,
  itemIds: readonly string[],
  newItemIds: readonly string[],
): Promise<{ error: string } | { diff: number; variants: Awaited<ReturnType<typeof getVariants>> }> {
  const variants = await getVariants(db, newItemIds);
  let diff = 0;
  for (let i = 0; i < itemIds.length; i++) {
    const item = order.items.find((it) => it.item_id === itemIds[i])!;
    const v = variants.get(newItemIds[i]);
    if (!v || v.product_id !== item.product_id || !v.available) return { error: `Error: new item ${newItemIds[i]} not found or available` };
    diff += v.price - item.price;
  }
  return { diff, variants };
}

const addressArgs = (a: { address1: string; address2: string; city: string; state: string; country: string; zip: string }) => ({
  address1: a.address1,
  address2: a.address2,
  city: a.city,
  state: a.state,
  country: a.country,
  zip: a.zip,
});

/** The order-management and CRM tools (authentication lookups, details, and every order write). */
export function createOrderTools(db: Db): AisleTool[] {
  return [
    defineTool({
      ...spec.findUserIdByEmail,
      run: async ({ email }) => (await findUserIdByEmail(db, email)) ?? "Error: user not found",
    }),
    defineTool({
      ...spec.findUserIdByNameZip,
      run: async ({ first_name, last_name, zip }) =>
        (await findUserIdByNameZip(db, first_name, last_name, zip)) ?? "Error: user not found",
    }),
    defineTool({
      ...spec.getUserDetails,
      run: async ({ user_id }) => {
        const user = await getUser(db, user_id);
        return user ? dumpRecord(user) : "Error: user not found";
      },
    }),
    defineTool({
      ...spec.getOrderDetails,
      run: async ({ order_id }) => {
        const order = await getOrder(db, order_id);
        return order ? dumpRecord(order) : "Error: order not found";
      },
    }),

    defineTool({
      ...spec.cancelPendingOrder,
      // A reason outside the enum is answered by the tool itself, as upstream does.
      lenient: spec.cancelPendingOrder.schema.extend({ reason: z.string() }) as never,
      run: ({ order_id, reason }) =>
        db.transaction(async (tx) => {
          const order = await lockOrder(tx, order_id);
          if (!order) return "Error: order not found";
          if (order.status !== "pending") return "Error: non-pending order cannot be cancelled";
          if (reason !== "no longer needed" && reason !== "ordered by mistake") return "Error: invalid reason";
          const refunds: Payment[] = order.payment_history.map((p) => ({
            transaction_type: "refund",
            amount: p.amount,
            payment_method_id: p.payment_method_id,
          }));
          // Gift-card refunds are credited at once, one payment at a time, rounding after each.
          const giftIds = refunds.map((r) => r.payment_method_id).filter((id) => id.includes("gift_card"));
          const cards = await lockPaymentMethods(tx, order.user_id, giftIds);
          const balances = new Map<string, number>();
          for (const r of refunds) {
            if (!r.payment_method_id.includes("gift_card")) continue;
            const card = cards.get(r.payment_method_id);
            if (!card || card.source !== "gift_card") return `Error: '${r.payment_method_id}'`;
            const before = balances.get(card.id) ?? card.balance;
            balances.set(card.id, pyRound(before + r.amount, 2));
          }
          for (const [id, balance] of balances) await setGiftCardBalance(tx, id, balance);
          await updateOrder(tx, order_id, "cancelled", { cancel_reason: reason });
          await appendPayments(tx, order_id, refunds);
          return dumpRecord(await getOrder(tx, order_id));
        }),
    }),

    defineTool({
      ...spec.modifyPendingOrderAddress,
      run: (args) =>
        db.transaction(async (tx) => {
          const order = await lockOrder(tx, args.order_id);
          if (!order) return "Error: order not found";
          if (order.status !== "pending") return "Error: non-pending order cannot be modified";
          await setOrderAddress(tx, args.order_id, addressArgs(args));
          return dumpRecord(await getOrder(tx, args.order_id));
        }),
    }),

    defineTool({
      ...spec.modifyPendingOrderItems,
      run: ({ order_id, item_ids, new_item_ids, payment_method_id }) =>
        db.transaction(async (tx) => {
          const order = await lockOrder(tx, order_id);
          if (!order) return "Error: order not found";
          if (order.status !== "pending") return "Error: non-pending order cannot be modified";
          const missing = missingItem(order, item_ids);
          if (missing !== undefined) return `Error: ${missing} not found`;
          if (item_ids.length !== new_item_ids.length) return "Error: the number of items to be exchanged should match";
          const priced = await priceDifference(tx, order, item_ids, new_item_ids);
          if ("error" in priced) return priced.error;
          const { diff, variants } = priced;
          const method = await lockPaymentMethod(tx, order.user_id, payment_method_id);
          if (!method) return "Error: payment method not found";
          if (method.source === "gift_card" && method.balance < diff) {
            return "Error: insufficient gift card balance to pay for the new item";
          }
          await appendPayments(tx, order_id, [
            { transaction_type: diff > 0 ? "payment" : "refund", amount: Math.abs(diff), payment_method_id },
          ]);
          if (method.source === "gift_card") await setGiftCardBalance(tx, method.id, pyRound(method.balance - diff, 2));
          // Each pair rewrites the first item still carrying the old id (so duplicates advance).
          const items: OrderItem[] = order.items.map((i) => ({ ...i }));
          const touched = new Set<number>();
          for (let k = 0; k < item_ids.length; k++) {
            const pos = items.findIndex((i) => i.item_id === item_ids[k]);
            const v = variants.get(new_item_ids[k])!;
            items[pos] = { ...items[pos], item_id: v.item_id, price: v.price, options: v.options };
            touched.add(pos);
          }
          await replaceOrderItems(tx, order_id, [...touched].map((position) => ({ position, ...items[position] })));
          await updateOrder(tx, order_id, "pending (item modified)");
          return dumpRecord(await getOrder(tx, order_id));
        }),
    }),

    defineTool({
      ...spec.modifyUserAddress,
      run: (args) =>
        db.transaction(async (tx) => {
          if (!(await lockUser(tx, args.user_id))) return "Error: user not found";
          await setUserAddress(tx, args.user_id, addressArgs(args));
          return dumpRecord(await getUser(tx, args.user_id));
        }),
    }),

    defineTool({
      ...spec.returnDeliveredOrderItems,
      run: ({ order_id, item_ids, payment_method_id }) =>
        db.transaction(async (tx) => {
          const order = await lockOrder(tx, order_id);
          if (!order) return "Error: order not found";
          if (order.status !== "delivered") return "Error: non-delivered order cannot be returned";
          if (!(await lockPaymentMethod(tx, order.user_id, payment_method_id))) return "Error: payment method not found";
          if (!payment_method_id.includes("gift_card")) {
            const original = order.payment_history[0];
            if (!original) return "Error: list index out of range";
            if (payment_method_id !== original.payment_method_id) {
              return "Error: payment method should be either the original payment method or a gift card";
            }
          }
          if (missingItem(order, item_ids) !== undefined) return "Error: some item not found";
          await updateOrder(tx, order_id, "return requested", {
            return_items: sorted(item_ids),
            return_payment_method_id: payment_method_id,
          });
          return dumpRecord(await getOrder(tx, order_id));
        }),
    }),

    defineTool({
      ...spec.exchangeDeliveredOrderItems,
      run: ({ order_id, item_ids, new_item_ids, payment_method_id }) =>
        db.transaction(async (tx) => {
          const order = await lockOrder(tx, order_id);
          if (!order) return "Error: order not found";
          if (order.status !== "delivered") return "Error: non-delivered order cannot be exchanged";
          const missing = missingItem(order, item_ids);
          if (missing !== undefined) return `Error: ${missing} not found`;
          if (item_ids.length !== new_item_ids.length) return "Error: the number of items to be exchanged should match";
          const priced = await priceDifference(tx, order, item_ids, new_item_ids);
          if ("error" in priced) return priced.error;
          const diff = pyRound(priced.diff, 2);
          const method = await lockPaymentMethod(tx, order.user_id, payment_method_id);
          if (!method) return "Error: payment method not found";
          if (method.source === "gift_card" && method.balance < diff) {
            return "Error: insufficient gift card balance to pay for the price difference";
          }
          await updateOrder(tx, order_id, "exchange requested", {
            exchange_items: sorted(item_ids),
            exchange_new_items: sorted(new_item_ids),
            exchange_payment_method_id: payment_method_id,
            exchange_price_difference: diff,
          });
          return dumpRecord(await getOrder(tx, order_id));
        }),
    }),
  ];
}
