import type { Db } from "../../db/executor.ts";
import { defineTool, type AisleTool } from "../defineTool.ts";
import { getOrder, lockOrder } from "../orders/ordersDb.ts";
import { pyRound } from "../pythonJson.ts";
import { dumpRecord } from "../tauJson.ts";
import * as spec from "../tauSchemas.ts";
import { appendPayments, lockPaymentMethods, setGiftCardBalance } from "./paymentsDb.ts";

/** Payment tools: moving a pending order onto another payment method. */
export function createPaymentTools(db: Db): AisleTool[] {
  return [
    defineTool({
      ...spec.modifyPendingOrderPayment,
      run: ({ order_id, payment_method_id }) =>
        db.transaction(async (tx) => {
          const order = await lockOrder(tx, order_id);
          if (!order) return "Error: order not found";
          if (order.status !== "pending") return "Error: non-pending order cannot be modified";
          const original = order.payment_history[0];
          // Lock both cards (in id order) before reading balances.
          const methods = await lockPaymentMethods(
            tx,
            order.user_id,
            original ? [payment_method_id, original.payment_method_id] : [payment_method_id],
          );
          const method = methods.get(payment_method_id);
          if (!method) return "Error: payment method not found";
          if (!original) return "Error: list index out of range";
          if (order.payment_history.length > 1 || original.transaction_type !== "payment") {
            return "Error: there should be exactly one payment for a pending order";
          }
          if (original.payment_method_id === payment_method_id) {
            return "Error: the new payment method should be different from the current one";
          }
          const amount = original.amount;
          if (method.source === "gift_card" && method.balance < amount) {
            return "Error: insufficient gift card balance to pay for the order";
          }
          const old = methods.get(original.payment_method_id);
          if (original.payment_method_id.includes("gift_card") && old?.source !== "gift_card") {
            return `Error: '${original.payment_method_id}'`;
          }
          await appendPayments(tx, order_id, [
            { transaction_type: "payment", amount, payment_method_id },
            { transaction_type: "refund", amount, payment_method_id: original.payment_method_id },
          ]);
          if (method.source === "gift_card") await setGiftCardBalance(tx, method.id, pyRound(method.balance - amount, 2));
          if (old?.source === "gift_card" && original.payment_method_id.includes("gift_card")) {
            await setGiftCardBalance(tx, old.id, pyRound(old.balance + amount, 2));
          }
          return dumpRecord(await getOrder(tx, order_id));
        }),
    }),
  ];
}
