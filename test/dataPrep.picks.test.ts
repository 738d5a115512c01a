import { expect, test } from "vitest";
import { itemsPickedFromList, orderPickedFromList, positionsPicked } from "../nodes/dataPrep.ts";

const ORDERS_REPLY = "Which order would you like to return items from? The orders on your account are #W8727985, #W1023987, #W5555555.";
const ITEMS_REPLY = "Which items from order #W1023987 would you like to return? Please list all of them at once:\n1. Luggage Set — $452.28\n2. Pet Bed — $209.95\n3. Tablet — $951.21";
const ORDERS = { "#W1023987": { items: [{ item_id: "111" }, { item_id: "222" }, { item_id: "333" }] } };

test("an order picked by its place in the list the assistant just showed", () => {
  expect(orderPickedFromList("the second one", ORDERS_REPLY)).toBe("#W1023987");
  expect(orderPickedFromList("ok the first one please", ORDERS_REPLY)).toBe("#W8727985");
  expect(orderPickedFromList("the last order", ORDERS_REPLY)).toBe("#W5555555");
  expect(orderPickedFromList("3rd", ORDERS_REPLY)).toBe("#W5555555");
  // Not a pick, or nothing to pick from.
  expect(orderPickedFromList("my first name is Ana", ORDERS_REPLY)).toBeUndefined();
  expect(orderPickedFromList("the fifth one", ORDERS_REPLY)).toBeUndefined();
  expect(orderPickedFromList("the second one", "Order #W1023987 is delivered.")).toBeUndefined();
  expect(orderPickedFromList("I want to return my shoes", ORDERS_REPLY)).toBeUndefined();
});

test("items picked by position from one order's numbered list, when the list matches the order", () => {
  expect(itemsPickedFromList("the first one, it doesn't fit", ITEMS_REPLY, ORDERS)).toEqual(["111"]);
  expect(itemsPickedFromList("1 and 3", ITEMS_REPLY, ORDERS)).toEqual(["111", "333"]);
  expect(itemsPickedFromList("item 2 please", ITEMS_REPLY, ORDERS)).toEqual(["222"]);
  expect(itemsPickedFromList("the last one", ITEMS_REPLY, ORDERS)).toEqual(["333"]);
  // The list and the order disagree (an item is missing): no guess.
  expect(itemsPickedFromList("the first one", ITEMS_REPLY, { "#W1023987": { items: [{ item_id: "111" }, { item_id: "222" }] } })).toEqual([]);
  // A list of orders is not a list of items.
  expect(itemsPickedFromList("the first one", ORDERS_REPLY, ORDERS)).toEqual([]);
  expect(itemsPickedFromList("my address is 12 Main St", ITEMS_REPLY, ORDERS)).toEqual([]);
});

test("positions in a message", () => {
  expect(positionsPicked("both", 2)).toEqual([1, 2]);
  expect(positionsPicked("both", 3)).toEqual([]);
  expect(positionsPicked("the second and the third", 3)).toEqual([2, 3]);
  expect(positionsPicked("2, 1", 3)).toEqual([1, 2]);
  expect(positionsPicked("#4", 3)).toEqual([]);
  expect(positionsPicked("order #W1234567", 3)).toEqual([]);
});

test("an address at the end of a question is still an address", async () => {
  const { extractAddress } = await import("../nodes/dataPrep.ts");
  expect(extractAddress("can i change the shipping address to 12 Main St, Springfield, IL 62701?")).toEqual({
    address1: "12 Main St",
    address2: "",
    city: "Springfield",
    state: "IL",
    country: "USA",
    zip: "62701",
  });
  expect(extractAddress("ship it to 4 Oak Ave., Apt 2, Austin, TX 78701, USA.")).toMatchObject({ address1: "4 Oak Ave", address2: "Apt 2", city: "Austin", zip: "78701" });
  expect(extractAddress("I live in Springfield, IL?")).toBeUndefined();
});
