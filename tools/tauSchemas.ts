import { z } from "zod";

/**
 * Names, descriptions and parameter schemas of the 16 τ-bench retail tools, exactly as the
 * benchmark publishes them (data/tau-retail/tools.json; a test compares the JSON schemas).
 * Shared descriptions are repeated verbatim: each is what a model reads for that tool.
 */

export const calculate = {
  name: "calculate",
  description: "Calculate the result of a mathematical expression.",
  schema: z.object({
    expression: z.string().describe("The mathematical expression to calculate, such as '2 + 2'. The expression can contain numbers, operators (+, -, *, /), parentheses, and spaces."),
  }),
} as const;

export const cancelPendingOrder = {
  name: "cancel_pending_order",
  description: "Cancel a pending order. If the order is already processed or delivered, it cannot be cancelled. The agent needs to explain the cancellation detail and ask for explicit user confirmation (yes/no) to proceed. If the user confirms, the order status will be changed to 'cancelled' and the payment will be refunded. The refund will be added to the user's gift card balance immediately if the payment was made using a gift card, otherwise the refund would take 5-7 business days to process. The function returns the order details after the cancellation.",
  schema: z.object({
    order_id: z.string().describe("The order id, such as '#W0000000'. Be careful there is a '#' symbol at the beginning of the order id."),
    reason: z.enum(["no longer needed", "ordered by mistake"]).describe("The reason for cancellation, which should be either 'no longer needed' or 'ordered by mistake'."),
  }),
} as const;

export const exchangeDeliveredOrderItems = {
  name: "exchange_delivered_order_items",
  description: "Exchange items in a delivered order to new items of the same product type. For a delivered order, return or exchange can be only done once by the agent. The agent needs to explain the exchange detail and ask for explicit user confirmation (yes/no) to proceed.",
  schema: z.object({
    order_id: z.string().describe("The order id, such as '#W0000000'. Be careful there is a '#' symbol at the beginning of the order id."),
    item_ids: z.array(z.string()).describe("The item ids to be exchanged, each such as '1008292230'. There could be duplicate items in the list."),
    new_item_ids: z.array(z.string()).describe("The item ids to be exchanged for, each such as '1008292230'. There could be duplicate items in the list. Each new item id should match the item id in the same position and be of the same product."),
    payment_method_id: z.string().describe("The payment method id to pay or receive refund for the item price difference, such as 'gift_card_0000000' or 'credit_card_0000000'. These can be looked up from the user or order details."),
  }),
} as const;

export const findUserIdByEmail = {
  name: "find_user_id_by_email",
  description: "Find user id by email. If the user is not found, the function will return an error message.",
  schema: z.object({
    email: z.string().describe("The email of the user, such as 'something@example.com'."),
  }),
} as const;

export const findUserIdByNameZip = {
  name: "find_user_id_by_name_zip",
  description: "Find user id by first name, last name, and zip code. If the user is not found, the function will return an error message. By default, find user id by email, and only call this function if the user is not found by email or cannot remember email.",
  schema: z.object({
    first_name: z.string().describe("The first name of the customer, such as 'John'."),
    last_name: z.string().describe("The last name of the customer, such as 'Doe'."),
    zip: z.string().describe("The zip code of the customer, such as '12345'."),
  }),
} as const;

export const getOrderDetails = {
  name: "get_order_details",
  description: "Get the status and details of an order.",
  schema: z.object({
    order_id: z.string().describe("The order id, such as '#W0000000'. Be careful there is a '#' symbol at the beginning of the order id."),
  }),
} as const;

export const getProductDetails = {
  name: "get_product_details",
  description: "Get the inventory details of a product.",
  schema: z.object({
    product_id: z.string().describe("The product id, such as '6086499569'. Be careful the product id is different from the item id."),
  }),
} as const;

export const getUserDetails = {
  name: "get_user_details",
  description: "Get the details of a user, including their orders.",
  schema: z.object({
    user_id: z.string().describe("The user id, such as 'sara_doe_496'."),
  }),
} as const;

export const listAllProductTypes = {
  name: "list_all_product_types",
  description: "List the name and product id of all product types. Each product type has a variety of different items with unique item ids and options. There are only 50 product types in the store.",
  schema: z.object({}),
} as const;

export const modifyPendingOrderAddress = {
  name: "modify_pending_order_address",
  description: "Modify the shipping address of a pending order. The agent needs to explain the modification detail and ask for explicit user confirmation (yes/no) to proceed.",
  schema: z.object({
    order_id: z.string().describe("The order id, such as '#W0000000'. Be careful there is a '#' symbol at the beginning of the order id."),
    address1: z.string().describe("The first line of the address, such as '123 Main St'."),
    address2: z.string().describe("The second line of the address, such as 'Apt 1' or ''."),
    city: z.string().describe("The city, such as 'San Francisco'."),
    state: z.string().describe("The state, such as 'CA'."),
    country: z.string().describe("The country, such as 'USA'."),
    zip: z.string().describe("The zip code, such as '12345'."),
  }),
} as const;

export const modifyPendingOrderItems = {
  name: "modify_pending_order_items",
  description: "Modify items in a pending order to new items of the same product type. For a pending order, this function can only be called once. The agent needs to explain the exchange detail and ask for explicit user confirmation (yes/no) to proceed.",
  schema: z.object({
    order_id: z.string().describe("The order id, such as '#W0000000'. Be careful there is a '#' symbol at the beginning of the order id."),
    item_ids: z.array(z.string()).describe("The item ids to be modified, each such as '1008292230'. There could be duplicate items in the list."),
    new_item_ids: z.array(z.string()).describe("The item ids to be modified for, each such as '1008292230'. There could be duplicate items in the list. Each new item id should match the item id in the same position and be of the same product."),
    payment_method_id: z.string().describe("The payment method id to pay or receive refund for the item price difference, such as 'gift_card_0000000' or 'credit_card_0000000'. These can be looked up from the user or order details."),
  }),
} as const;

export const modifyPendingOrderPayment = {
  name: "modify_pending_order_payment",
  description: "Modify the payment method of a pending order. The agent needs to explain the modification detail and ask for explicit user confirmation (yes/no) to proceed.",
  schema: z.object({
    order_id: z.string().describe("The order id, such as '#W0000000'. Be careful there is a '#' symbol at the beginning of the order id."),
    payment_method_id: z.string().describe("The payment method id to pay or receive refund for the item price difference, such as 'gift_card_0000000' or 'credit_card_0000000'. These can be looked up from the user or order details."),
  }),
} as const;

export const modifyUserAddress = {
  name: "modify_user_address",
  description: "Modify the default address of a user. The agent needs to explain the modification detail and ask for explicit user confirmation (yes/no) to proceed.",
  schema: z.object({
    user_id: z.string().describe("The user id, such as 'sara_doe_496'."),
    address1: z.string().describe("The first line of the address, such as '123 Main St'."),
    address2: z.string().describe("The second line of the address, such as 'Apt 1' or ''."),
    city: z.string().describe("The city, such as 'San Francisco'."),
    state: z.string().describe("The state, such as 'CA'."),
    country: z.string().describe("The country, such as 'USA'."),
    zip: z.string().describe("The zip code, such as '12345'."),
  }),
} as const;

export const returnDeliveredOrderItems = {
  name: "return_delivered_order_items",
  description: "Return some items of a delivered order. The order status will be changed to 'return requested'. The agent needs to explain the return detail and ask for explicit user confirmation (yes/no) to proceed. The user will receive follow-up email for how and where to return the item.",
  schema: z.object({
    order_id: z.string().describe("The order id, such as '#W0000000'. Be careful there is a '#' symbol at the beginning of the order id."),
    item_ids: z.array(z.string()).describe("The item ids to be returned, each such as '1008292230'. There could be duplicate items in the list."),
    payment_method_id: z.string().describe("The payment method id to pay or receive refund for the item price difference, such as 'gift_card_0000000' or 'credit_card_0000000'. These can be looked up from the user or order details."),
  }),
} as const;

export const think = {
  name: "think",
  description: "Use the tool to think about something. It will not obtain new information or change the database, but just append the thought to the log. Use it when complex reasoning or some cache memory is needed.",
  schema: z.object({
    thought: z.string().describe("A thought to think about."),
  }),
} as const;

export const transferToHumanAgents = {
  name: "transfer_to_human_agents",
  description: "Transfer the user to a human agent, with a summary of the user's issue. Only transfer if the user explicitly asks for a human agent, or if the user's issue cannot be resolved by the agent with the available tools.",
  schema: z.object({
    summary: z.string().describe("A summary of the user's issue."),
  }),
} as const;

export const TAU_TOOL_NAMES = ["calculate", "cancel_pending_order", "exchange_delivered_order_items", "find_user_id_by_email", "find_user_id_by_name_zip", "get_order_details", "get_product_details", "get_user_details", "list_all_product_types", "modify_pending_order_address", "modify_pending_order_items", "modify_pending_order_payment", "modify_user_address", "return_delivered_order_items", "think", "transfer_to_human_agents"] as const;
