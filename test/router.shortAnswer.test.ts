import { expect, test } from "vitest";
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { shortAnswerToQuestion } from "../nodes/router.ts";

const asked = [new HumanMessage("swap my notebook"), new AIMessage("What would you like instead of your Notebook? Available options: size: A4, A5."), new HumanMessage("A5 please")];
const told = [new HumanMessage("where is my order"), new AIMessage("Order #W1 is delivered."), new HumanMessage("A5 please")];

test("a few words right after a question answer it", () => {
  expect(shortAnswerToQuestion("A5 please", asked)).toBe(true);
  expect(shortAnswerToQuestion("hard cover", asked)).toBe(true);
});

test("not after a statement, and not a long message", () => {
  expect(shortAnswerToQuestion("A5 please", told)).toBe(false);
  expect(shortAnswerToQuestion("actually I would like to talk to someone about my other order", asked)).toBe(false);
  expect(shortAnswerToQuestion("hi", [new HumanMessage("hi")])).toBe(false);
});
